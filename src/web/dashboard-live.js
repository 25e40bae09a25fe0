/*
 * Dialogo – cruscotto: "Adesso", the live section (a panel of dashboard.js, see window.DialogoDashboard).
 *
 * Today so far (conversations in progress included), the queue and its longest wait, operators
 * online, from GET /api/analytics/live every 15 seconds while the tab is visible; a hidden tab
 * stops polling and catches up as soon as it is shown again.
 *
 * SECURITY: text only (textContent); this file never assigns HTML markup.
 */
(function () {
  'use strict';

  var D = window.DialogoDashboard;
  var C = window.DialogoConsole;
  var $ = C.$, el = C.el, append = C.append, clear = C.clear, setText = C.setText;
  var REFRESH_MS = 15000;

  var running = false;
  var timer = null;
  var seq = 0;

  function card(key, label, value, details) {
    return el('li', { className: 'kpi live-card', 'data-live': key }, [
      el('h3', { className: 'kpi-label', text: label }),
      el('p', { className: 'kpi-value', text: value }),
      details.map(function (line) { return el('p', { className: 'kpi-detail', text: line }); }),
    ]);
  }

  function plural(n, one, many) {
    return D.format.int(n) + ' ' + (n === 1 ? one : many);
  }

  function render(live) {
    var t = live.today || {};
    var h = t.handoffs || {};
    var q = live.queue;
    var o = live.operators;
    var cards = [
      card('today', 'Conversazioni oggi', D.format.int(t.conversations), [
        'In corso: ' + D.format.int(t.inProgress) + ' · concluse: ' + D.format.int(t.ended),
        'Concluse risolte dal bot: ' + D.format.int(t.resolved) + ' · con operatore: ' + D.format.int(t.escalated),
      ]),
      card('queue', 'In coda ora', q ? D.format.int(q.waiting) : '\u2014', q
        ? ['Attesa più lunga: ' + (q.longestWaitSec === null ? 'nessuno in attesa' : D.format.duration(q.longestWaitSec)), 'In conversazione con un operatore: ' + D.format.int(q.withOperator)]
        : ['Coda non disponibile']),
      card('operators', 'Operatori collegati', o ? D.format.int(o.online) : '\u2014', o
        ? ['Disponibili: ' + D.format.int(o.available) + ' · occupati: ' + D.format.int(o.busy), 'In conversazione: ' + plural(o.inConversation, 'operatore', 'operatori')]
        : ['Presenza non disponibile']),
      card('handoffs', 'Richieste di operatore oggi', D.format.int(h.queued), [
        'Accolte: ' + D.format.int(h.answered) + ' · lasciate in coda: ' + D.format.int(h.abandoned),
        'Diventate richiesta scritta: ' + D.format.int(h.tickets),
      ]),
    ];
    append(clear($('live-cards')), cards);
    var at = new Date(live.at);
    setText('live-updated', 'Aggiornato alle ' + (isNaN(at.getTime()) ? '\u2014' : at.toLocaleTimeString('it-IT', { hour: '2-digit', minute: '2-digit', second: '2-digit' })) +
      ' \u00B7 si aggiorna ogni 15 secondi');
    $('live').setAttribute('data-state', 'ok');
  }

  function refresh() {
    seq += 1;
    var mine = seq;
    return D.api('GET', '/api/analytics/live')
      .then(function (live) {
        if (mine !== seq || !running) return;
        render(live || {});
      })
      .catch(function (error) {
        if (mine !== seq || !running) return;
        $('live').setAttribute('data-state', 'error');
        setText('live-updated', 'Dati in tempo reale non aggiornati: ' + D.describeError(error) + ' Nuovo tentativo tra 15 secondi.');
      });
  }

  function schedule() {
    clearInterval(timer);
    timer = null;
    if (!running) return;
    if (document.hidden) {
      setText('live-paused', 'In pausa mentre la scheda non è visibile.');
      return;
    }
    setText('live-paused', '');
    timer = setInterval(refresh, REFRESH_MS);
  }

  function onVisibility() {
    if (!running) return;
    if (!document.hidden) refresh();
    schedule();
  }

  document.addEventListener('visibilitychange', onVisibility);

  D.register({
    start: function () {
      running = true;
      if (!document.hidden) refresh();
      schedule();
    },
    stop: function () {
      running = false;
      seq += 1;
      clearInterval(timer);
      timer = null;
    },
  });
})();
