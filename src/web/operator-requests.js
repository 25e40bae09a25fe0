/*
 * Dialogo – console operatori: the "Richieste scritte" tab (written requests worked to the end).
 *
 * Search by reference (typed or pasted, spaces and case ignored), filters by state, topic and
 * age, a count badge on the tab (open requests, kept current by the `requests` push), and a
 * detail pane: the citizen's request and contact, the conversation that led to it, the answer
 * sent by e-mail, and the close with outcome and note. Talks to /api/operator/requests through
 * the hooks operator.js puts on window.DialogoConsole (`operator`, and the `dialogo:*` events).
 *
 * SECURITY: every text from the server (descriptions, e-mails, answers, notes, transcripts) is
 * rendered with textContent / createTextNode through DialogoConsole.el; never as markup.
 */
(function () {
  'use strict';

  var C = window.DialogoConsole;
  var $ = C.$, el = C.el, clear = C.clear, setText = C.setText, str = C.str, ApiError = C.ApiError;

  var REFERENCE = /^DLG-\d{4}-\d{6,9}$/;
  var STATES = { open: 'Aperta', answered: 'Con risposta', closed: 'Chiusa' };
  var OUTCOMES = { answered: 'Risposta data', duplicate: 'Duplicata', 'not-competent': 'Non di competenza', 'no-reply-needed': 'Nessuna risposta necessaria', spam: 'Spam' };
  var WHO = { citizen: 'Cittadino', bot: 'Assistente virtuale', operator: 'Operatore', system: 'Sistema' };

  var state = {
    active: false, // the tab is shown
    mailConfigured: true,
    openTotal: null,
    topics: {}, // topicId -> title, from every list loaded
    selected: null, // the request shown in the detail pane
    listSeq: 0,
    detailSeq: 0,
    busy: false,
  };

  function hooks() {
    return C.operator;
  }

  function describe(error) {
    if (error instanceof ApiError && error.message && error.status !== 500) return error.message;
    return hooks().describeError(error);
  }

  /** What a citizen reads out or pastes: "dlg - 2026 - 000001 " is DLG-2026-000001. */
  function normaliseReference(text) {
    return String(text || '').replace(/\s+/g, '').toUpperCase();
  }

  // ---------------------------------------------------------------- badge

  function setBadge(totals) {
    if (!totals || typeof totals.open !== 'number') return;
    var previous = state.openTotal;
    state.openTotal = totals.open;
    var badge = $('requests-badge');
    badge.hidden = totals.open === 0;
    badge.textContent = String(totals.open);
    badge.setAttribute('aria-label', totals.open === 1 ? '1 richiesta aperta' : totals.open + ' richieste aperte');
    if (previous !== null && totals.open > previous) hooks().announce(totals.open - previous === 1 ? 'Nuova richiesta scritta.' : 'Nuove richieste scritte.');
  }

  function refreshBadge() {
    hooks().api('GET', '/requests?state=open&limit=1')
      .then(function (data) {
        setBadge(data.totals);
        setMailConfigured(data.mailConfigured);
      })
      .catch(function () { /* the tab shows the problem when opened */ });
  }

  function setMailConfigured(configured) {
    state.mailConfigured = configured !== false;
    $('requests-mail').hidden = state.mailConfigured;
  }

  // ---------------------------------------------------------------- list

  function queryString(reference) {
    var params = [];
    if (reference) params.push('reference=' + encodeURIComponent(reference));
    else {
      var filters = { state: $('requests-state').value, topic: $('requests-topic').value, olderThanHours: $('requests-age').value };
      Object.keys(filters).forEach(function (name) {
        if (filters[name]) params.push(name + '=' + encodeURIComponent(filters[name]));
      });
    }
    return params.length ? '?' + params.join('&') : '';
  }

  /** Loads the list; `chosen`: the operator asked (a reference found alone opens at once). */
  function loadList(chosen) {
    var typed = $('requests-reference').value;
    var reference = normaliseReference(typed);
    setText('requests-search-error', '');
    if (reference && !REFERENCE.test(reference)) {
      setText('requests-search-error', 'Il codice deve avere la forma DLG-2026-000123.');
      return Promise.resolve();
    }
    if (reference !== typed) $('requests-reference').value = reference;
    var seq = ++state.listSeq;
    setText('requests-status', 'Caricamento\u2026');
    return hooks().api('GET', '/requests' + queryString(reference))
      .then(function (data) {
        if (seq !== state.listSeq) return;
        var requests = Array.isArray(data.requests) ? data.requests : [];
        setBadge(data.totals);
        setMailConfigured(data.mailConfigured);
        renderList(requests);
        var count = typeof data.count === 'number' ? data.count : requests.length;
        var shown = requests.length < count ? ' (le ' + requests.length + ' più recenti)' : '';
        var none = reference ? 'Nessuna richiesta con il codice ' + reference + '.' : 'Nessuna richiesta scritta con questi filtri.';
        setText('requests-status', count ? count + (count === 1 ? ' richiesta' : ' richieste') + shown + '.' : none);
        if (chosen && reference && requests.length === 1) openDetail(str(requests[0].reference));
      })
      .catch(function (error) {
        if (seq !== state.listSeq || error.status === 401) return;
        setText('requests-status', 'Impossibile caricare le richieste: ' + describe(error));
      });
  }

  function rememberTopics(requests) {
    var added = false;
    requests.forEach(function (r) {
      if (r.topicId && !state.topics[r.topicId]) {
        state.topics[r.topicId] = str(r.topicTitle) || str(r.topicId);
        added = true;
      }
    });
    if (!added) return;
    var select = $('requests-topic');
    var chosen = select.value;
    clear(select);
    select.appendChild(el('option', { value: '' }, 'Tutti'));
    Object.keys(state.topics)
      .sort(function (a, b) { return state.topics[a].localeCompare(state.topics[b], 'it'); })
      .forEach(function (id) { select.appendChild(el('option', { value: id }, state.topics[id])); });
    select.value = chosen;
  }

  function renderList(requests) {
    rememberTopics(requests);
    var body = clear($('requests-body'));
    var op = hooks();
    requests.forEach(function (r) {
      var reference = str(r.reference);
      var open = el('button', { type: 'button', className: 'link-button', 'aria-label': 'Apri la richiesta ' + reference }, reference);
      open.addEventListener('click', function () { openDetail(reference); });
      body.appendChild(el('tr', { className: (r.state === 'open' ? 'is-open' : '') + (state.selected && state.selected.reference === reference ? ' is-selected' : '') }, [
        el('th', { scope: 'row' }, open),
        el('td', null, r.createdAt ? el('time', { datetime: str(r.createdAt) }, op.formatDateTime(r.createdAt)) : ''),
        el('td', null, op.channelLabel(r.channel)),
        el('td', null, op.languageLabel(r.language)),
        el('td', { className: 'break' }, str(r.contactEmail)),
        el('td', null, str(r.topicTitle) || str(r.topicId) || '\u2013'),
        el('td', { className: 'prewrap' }, str(r.description)),
        el('td', null, el('span', { className: 'badge badge-' + (r.state === 'open' ? 'open' : 'done') }, STATES[r.state] || str(r.state))),
      ]));
    });
    $('requests-table').hidden = requests.length === 0;
  }

  // ---------------------------------------------------------------- detail

  function openDetail(reference) {
    var seq = ++state.detailSeq;
    return hooks().api('GET', '/requests/' + encodeURIComponent(reference))
      .then(function (data) {
        if (seq !== state.detailSeq) return;
        setMailConfigured(data.mailConfigured);
        var sameRequest = !!state.selected && state.selected.reference === data.request.reference;
        showDetail(data, !sameRequest);
        // A refresh of the request on screen leaves the focus where the operator is typing.
        if (!sameRequest) $('request-title').focus();
      })
      .catch(function (error) {
        if (seq !== state.detailSeq || error.status === 401) return;
        setText('requests-status', 'Impossibile aprire la richiesta: ' + describe(error));
      });
  }

  function showDetail(data, fresh) {
    var r = data.request;
    var op = hooks();
    state.selected = r;
    $('request-detail').hidden = false;
    $('requests-layout').classList.add('has-detail');
    setText('request-title', 'Richiesta ' + str(r.reference));
    setText('request-meta', [
      STATES[r.state] || str(r.state),
      r.createdAt ? 'ricevuta il ' + op.formatDateTime(r.createdAt) : '',
      op.channelLabel(r.channel),
      op.languageLabel(r.language),
      r.topicTitle ? 'argomento: ' + str(r.topicTitle) : 'argomento non riconosciuto',
    ].filter(Boolean).join(' \u00b7 '));
    setText('request-description', str(r.description));
    setText('request-contact', str(r.contactEmail));
    renderTranscript(data);

    $('request-answer-box').hidden = !r.answer;
    setText('request-answer', str(r.answer));
    setText('request-answer-meta', r.answer ? 'Inviata da ' + str(r.answeredBy) + (r.answeredAt ? ' il ' + op.formatDateTime(r.answeredAt) : '') + ' a ' + str(r.contactEmail) + '.' : '');
    $('request-closed-box').hidden = r.state !== 'closed';
    setText('request-closed-meta', r.state === 'closed' ? (OUTCOMES[r.outcome] || 'Chiusa') + ' \u2013 chiusa da ' + str(r.closedBy) + (r.closedAt ? ' il ' + op.formatDateTime(r.closedAt) : '') + '.' : '');
    setText('request-closed-note', str(r.closeNote));

    var canReply = r.state === 'open' && state.mailConfigured;
    $('request-reply').hidden = r.state !== 'open';
    $('request-reply-text').disabled = !canReply;
    $('request-reply-send').disabled = !canReply;
    setText('request-reply-hint', state.mailConfigured
      ? 'Il cittadino riceve la risposta all\u2019indirizzo ' + str(r.contactEmail) + ', con il codice ' + str(r.reference) + ' nell\u2019oggetto e la tua firma.'
      : 'Le risposte non possono essere inviate: SMTP non configurato.');
    $('request-close').hidden = r.state === 'closed';
    setText('request-close-hint', r.state === 'open' ? 'Senza risposta la nota è obbligatoria: scrivi perché chiudi la richiesta.' : 'Facoltativa.');
    $('request-close-outcome').value = r.state === 'answered' ? 'answered' : 'no-reply-needed';
    if (fresh) {
      $('request-reply-text').value = '';
      $('request-close-note').value = '';
      setText('request-reply-error', '');
      setText('request-close-error', '');
    }
    Array.prototype.forEach.call($('requests-body').querySelectorAll('tr'), function (row) {
      var button = row.querySelector('th button');
      row.classList.toggle('is-selected', !!button && button.textContent === r.reference);
    });
  }

  function renderTranscript(data) {
    var list = clear($('request-transcript'));
    var box = $('request-transcript-box');
    var t = data.transcript;
    var entries = t ? (t.transcript || []).concat(t.messages || []) : [];
    entries.forEach(function (entry) {
      var from = WHO[entry.from] ? entry.from : 'system';
      var who = from === 'operator' && entry.operator ? 'Operatore ' + str(entry.operator) : WHO[from];
      list.appendChild(el('li', { className: 'entry entry-' + from + ' entry-transcript' }, [
        el('p', { className: 'entry-head' }, [el('span', { className: 'entry-who' }, who), entry.at ? el('time', { datetime: str(entry.at) }, hooks().formatDateTime(entry.at)) : null]),
        el('p', { className: 'entry-text' }, str(entry.text)),
      ]));
    });
    var note = '';
    if (data.transcriptWithheld) note = 'La conversazione è stata gestita da un collega: possono leggerla solo chi l\u2019ha gestita e i supervisori.';
    else if (!t) note = 'Nessuna conversazione registrata: la richiesta è stata lasciata senza passare dalla coda.';
    else if (!entries.length) note = 'La conversazione non contiene messaggi.';
    setText('request-transcript-note', note);
    box.hidden = entries.length === 0;
    box.open = entries.length > 0;
  }

  function onReply(event) {
    event.preventDefault();
    var r = state.selected;
    if (!r || state.busy) return;
    var textarea = $('request-reply-text');
    var text = textarea.value.trim();
    setText('request-reply-error', '');
    if (!text) {
      setText('request-reply-error', 'Scrivi la risposta prima di inviarla.');
      textarea.focus();
      return;
    }
    setBusy(true);
    hooks().api('POST', '/requests/' + encodeURIComponent(r.reference) + '/reply', { text: text })
      .then(function (data) {
        textarea.value = '';
        openDetail(str(data.request.reference));
        hooks().announce('Risposta inviata a ' + str(r.contactEmail) + '.');
        loadList();
      })
      .catch(function (error) {
        if (error.status === 401) return;
        // The operator's words stay in the box (the server also sends them back with a 502).
        setText('request-reply-error', describe(error));
        if (error.status === 409) openDetail(r.reference);
      })
      .then(function () { setBusy(false); });
  }

  function onClose(event) {
    event.preventDefault();
    var r = state.selected;
    if (!r || state.busy) return;
    var note = $('request-close-note').value.trim();
    setText('request-close-error', '');
    if (r.state === 'open' && !note) {
      setText('request-close-error', 'La richiesta non ha ricevuto risposta: scrivi nella nota perché la chiudi.');
      $('request-close-note').focus();
      return;
    }
    var body = { outcome: $('request-close-outcome').value };
    if (note) body.note = note;
    setBusy(true);
    hooks().api('POST', '/requests/' + encodeURIComponent(r.reference) + '/close', body)
      .then(function (data) {
        openDetail(str(data.request.reference));
        hooks().announce('Richiesta ' + str(data.request.reference) + ' chiusa.');
        loadList();
      })
      .catch(function (error) {
        if (error.status === 401) return;
        setText('request-close-error', describe(error));
        if (error.status === 409) openDetail(r.reference);
      })
      .then(function () { setBusy(false); });
  }

  function setBusy(busy) {
    state.busy = busy;
    $('request-close-submit').disabled = busy;
    $('request-reply-send').disabled = busy || !state.mailConfigured || !state.selected || state.selected.state !== 'open';
  }

  function reset() {
    state.active = false;
    state.openTotal = null;
    state.selected = null;
    state.listSeq += 1;
    state.detailSeq += 1;
    clear($('requests-body'));
    $('requests-table').hidden = true;
    $('request-detail').hidden = true;
    $('requests-layout').classList.remove('has-detail');
    $('requests-badge').hidden = true;
    $('requests-reference').value = '';
    setText('requests-status', '');
    setText('requests-search-error', '');
  }

  // ---------------------------------------------------------------- wiring

  function init() {
    $('requests-search').addEventListener('submit', function (event) {
      event.preventDefault();
      loadList(true);
    });
    $('requests-refresh').addEventListener('click', function () { loadList(true); });
    ['requests-state', 'requests-topic', 'requests-age'].forEach(function (id) {
      // A filter replaces a reference search: the reference would override it.
      $(id).addEventListener('change', function () {
        $('requests-reference').value = '';
        loadList();
      });
    });
    $('request-reply').addEventListener('submit', onReply);
    $('request-close').addEventListener('submit', onClose);
    document.addEventListener('dialogo:start', refreshBadge);
    document.addEventListener('dialogo:reset', reset);
    document.addEventListener('dialogo:tab', function (event) {
      state.active = event.detail === 'requests';
      if (state.active) loadList();
    });
    document.addEventListener('dialogo:push', function (event) {
      var data = event.detail;
      if (!data || data.type !== 'requests') return;
      setBadge(data.totals);
      // The list follows; the detail pane stays as it is, so that nothing being typed is lost.
      if (state.active) loadList();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
