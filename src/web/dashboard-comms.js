/*
 * Dialogo – cruscotto: pannello «Comunicazioni in arrivo» (issue 15).
 *
 * Reads GET /api/analytics/communications (supervisors only): the city's communications calendar
 * (knowledge-base/communications.yaml) and the pre-flight check that `npm run comms:check` runs.
 * Lists the coming communications with their week, topics and extra operators, and the check's
 * problems (blocking first). Registered on window.DialogoDashboard; loaded after dashboard.js.
 *
 * SECURITY: every server text is rendered with textContent (C.el's `text`); no HTML is assigned.
 */
(function () {
  'use strict';

  var D = window.DialogoDashboard;
  var C = window.DialogoConsole;
  if (!D || !C) return;
  var $ = C.$, el = C.el, append = C.append, clear = C.clear, str = C.str;

  var KINDS = {
    'tax-letters': 'Invio lettere tributi',
    'payment-deadline': 'Scadenza di pagamento',
    'enrolment-opens': 'Apertura iscrizioni',
    'enrolment-closes': 'Chiusura iscrizioni',
    'rule-change': 'Cambio di regole',
    'office-closure': 'Chiusura uffici',
    strike: 'Sciopero',
    campaign: 'Campagna',
  };
  var LEVELS = { block: 'Blocca', warning: 'Attenzione' };
  var seq = 0;

  function day(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(str(iso));
    return parts ? parts[3] + '/' + parts[2] + '/' + parts[1] : str(iso);
  }

  function status(text, kind) {
    var node = $('comms-status');
    node.textContent = text;
    // The page styles .form-message as an alert: only failures and blocks get it.
    node.className = kind === 'error' ? 'form-message' : 'hint';
  }

  function render(body) {
    var coming = Array.isArray(body && body.check && body.check.coming) ? body.check.coming : [];
    var findings = Array.isArray(body && body.check && body.check.findings) ? body.check.findings : [];
    var titleOf = {};
    (Array.isArray(body && body.calendar) ? body.calendar : []).forEach(function (c) { titleOf[c.id] = c.notice && c.notice.it; });

    var rows = clear($('comms-body'));
    coming.forEach(function (c) {
      var problems = findings.filter(function (f) { return f.communicationId === c.id && f.level === 'block'; }).length;
      append(rows, el('tr', { 'data-id': c.id }, [
        el('td', { text: day(c.effective) + (c.until ? ' – ' + day(c.until) : '') }),
        el('td', { text: str(c.week) }),
        el('td', {}, [el('strong', { text: c.id }), el('br'), el('span', { className: 'muted', text: str(titleOf[c.id]) })]),
        el('td', { text: KINDS[c.kind] || str(c.kind) }),
        el('td', { text: (Array.isArray(c.topics) ? c.topics : []).join(', ') }),
        el('td', { className: 'num', text: c.extraOperators === null || c.extraOperators === undefined ? '—' : D.format.int(c.extraOperators) }),
        el('td', { text: problems > 0 ? problems + (problems === 1 ? ' blocco' : ' blocchi') : 'OK' }),
      ]));
    });
    $('comms-empty').hidden = coming.length > 0;

    var list = clear($('comms-findings'));
    var shown = findings.filter(function (f) { return f.level === 'block' || f.level === 'warning'; });
    shown.sort(function (a, b) { return (a.level === 'block' ? 0 : 1) - (b.level === 'block' ? 0 : 1); });
    shown.forEach(function (f) {
      append(list, el('li', { className: 'comms-finding comms-' + f.level }, [
        el('strong', { text: (LEVELS[f.level] || f.level) + ': ' }),
        el('span', { text: f.communicationId + ' – ' + str(f.message) }),
      ]));
    });
    $('comms-findings-empty').hidden = shown.length > 0;
    var blocking = typeof body.check.blocking === 'number' ? body.check.blocking : 0;
    status(blocking > 0 ? blocking + (blocking === 1 ? ' problema blocca' : ' problemi bloccano') + ' una comunicazione in arrivo.' : 'Nessun problema bloccante (controllo del ' + day(body.today) + ').', blocking > 0 ? 'error' : 'ok');
  }

  function load() {
    var mine = ++seq;
    status('Caricamento del calendario…', '');
    D.api('GET', '/api/analytics/communications')
      .then(function (body) { if (mine === seq) render(body); })
      .catch(function (error) {
        if (mine !== seq) return;
        status('Calendario non disponibile: ' + D.describeError(error), 'error');
      });
  }

  D.register({
    start: function () { $('comms-section').hidden = false; load(); },
    stop: function () { seq++; $('comms-section').hidden = true; clear($('comms-body')); clear($('comms-findings')); },
  });
})();
