/*
 * Dialogo dashboard panel "Il canale giusto": clicks on the links of the bot's answers (per
 * topic, page and channel), why a person was offered, written requests answered and closed, and
 * per-operator figures, for the period the dashboard shows, from GET /api/analytics/channels.
 * Vanilla JavaScript, no build step; registers with window.DialogoDashboard (dashboard.js), uses
 * the DOM helpers of console-common.js, never markup from strings.
 */
(function () {
  'use strict';

  var D = window.DialogoDashboard;
  var C = window.DialogoConsole;
  if (!D || !C) return;
  var el = C.el;
  var append = C.append;
  var clear = C.clear;
  var str = C.str;
  var fmt = D.format;

  var REASONS = [
    ['asked', 'Chiesto dal cittadino'],
    ['misses', 'Due risposte mancate'],
    ['rated-down', 'Risposta giudicata non utile'],
    ['written-request', 'Richiesta scritta dal menu'],
  ];
  var CHANNELS = { directline: 'Chat del portale', webchat: 'Chat del portale', facebook: 'Messenger', messenger: 'Messenger', other: 'Altro' };
  /** The period the panel shows; a response for an older period is dropped. */
  var wanted = null;

  function $(id) { return document.getElementById(id); }

  function status(text, error) {
    var node = $('channels-fig-status');
    node.textContent = text;
    node.className = error ? 'panel-status error' : 'panel-status';
  }

  function row(cells) {
    return el('tr', null, cells.map(function (cell, i) {
      return i === 0 ? el('th', { scope: 'row', text: cell }) : el('td', { className: 'num', text: cell });
    }));
  }

  function renderClicks(clicks) {
    var topics = Array.isArray(clicks.byTopic) ? clicks.byTopic : [];
    var rows = [];
    topics.slice(0, 15).forEach(function (topic) {
      rows.push(el('tr', { className: 'topic-row' }, [
        el('th', { scope: 'row', text: str(topic.title) || str(topic.topicId) }),
        el('td', { text: 'tutte le pagine' }),
        el('td', { className: 'num', text: fmt.int(topic.clicks) }),
      ]));
      (Array.isArray(topic.facets) ? topic.facets : []).forEach(function (facet) {
        rows.push(el('tr', null, [
          el('td', { text: '' }),
          el('td', { text: facet.facetId === null ? 'Scheda generale' : (str(facet.title) || str(facet.facetId)) }),
          el('td', { className: 'num', text: fmt.int(facet.clicks) }),
        ]));
      });
    });
    append(clear($('channels-fig-clicks')), rows);
    $('channels-fig-clicks-empty').hidden = topics.length > 0;
    $('channels-fig-total').textContent = fmt.int(clicks.total);
    var byChannel = Array.isArray(clicks.byChannel) ? clicks.byChannel : [];
    $('channels-fig-by-channel').textContent = byChannel.length
      ? byChannel.map(function (c) { return (CHANNELS[str(c.channel)] || str(c.channel)) + ' ' + fmt.int(c.clicks); }).join(' · ')
      : '';
  }

  function renderReasons(escalations) {
    append(clear($('channels-fig-reasons')), REASONS.map(function (reason) {
      return row([reason[1], fmt.int(escalations[reason[0]])]);
    }).concat([row(['Totale', fmt.int(escalations.total)])]));
  }

  function renderRequests(requests) {
    append(clear($('channels-fig-requests')), [
      row(['Ricevute', fmt.int(requests.created)]),
      row(['Risposte dagli operatori', fmt.int(requests.answered)]),
      row(['Chiuse', fmt.int(requests.closed)]),
    ]);
  }

  function renderOperators(operators) {
    append(clear($('channels-fig-operators')), operators.map(function (o) {
      var name = str(o.displayName) ? str(o.displayName) + ' (' + str(o.login) + ')' : str(o.login);
      return row([name, fmt.int(o.chats), fmt.duration(o.avgHandleSec), fmt.int(o.requestsAnswered), fmt.int(o.requestsClosed)]);
    }));
    $('channels-fig-operators-empty').hidden = operators.length > 0;
  }

  function load(from, to) {
    wanted = from + '/' + to;
    var asked = wanted;
    status('Caricamento\u2026', false);
    D.api('GET', '/api/analytics/channels?from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to))
      .then(function (data) {
        if (asked !== wanted) return;
        renderClicks(data && data.clicks ? data.clicks : {});
        renderReasons(data && data.escalations ? data.escalations : {});
        renderRequests(data && data.writtenRequests ? data.writtenRequests : {});
        renderOperators(data && Array.isArray(data.operators) ? data.operators : []);
        status('', false);
      })
      .catch(function (error) {
        if (asked !== wanted) return;
        status('Dati dei canali non disponibili: ' + D.describeError(error), true);
      });
  }

  D.register({
    start: function () { $('channels-fig').hidden = false; },
    render: function (loaded) { if (loaded && loaded.from && loaded.to) load(loaded.from, loaded.to); },
    stop: function () {
      wanted = null;
      $('channels-fig').hidden = true;
    },
  });
})();
