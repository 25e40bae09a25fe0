/*
 * Dialogo – console operatori: canned replies (inserted into the composer with their
 * placeholders filled, never sent), internal notes, the callbacks to make ("Richiamate"),
 * the history ("Storico") and, for supervisors, the management of canned replies.
 * Every server text is rendered with textContent (see operator.js).
 */
(function () {
  'use strict';

  var C = window.DialogoConsole;
  var O = C.operator;
  var $ = C.$, el = C.el, clear = C.clear, setText = C.setText, str = C.str;

  var replies = [];
  var editing = null; // id of the canned reply being edited
  var notesFor = null; // session id whose notes are shown
  var notesSeq = 0;

  function encode(value) {
    return encodeURIComponent(value);
  }

  // ---------------------------------------------------------------- canned replies

  /** The reply's text with {{operatore}}, {{codice}} and {{argomento}} filled for the open conversation. */
  function fill(text, session) {
    var me = O.me() || {};
    var values = { operatore: str(me.displayName), codice: str(session && session.phoneCode), argomento: session ? O.cardTitle(session) : '' };
    return str(text).replace(/\{\{\s*([^{}]*?)\s*\}\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function loadReplies() {
    return O.api('GET', '/canned-replies')
      .then(function (data) {
        replies = Array.isArray(data.replies) ? data.replies : [];
        renderReplies();
        renderAdmin();
      })
      .catch(function (error) {
        if (error.status === 401) return;
        setText('canned-status', 'Risposte predefinite non disponibili: ' + O.describeError(error));
      });
  }

  function renderReplies() {
    var list = clear($('canned-list'));
    setText('canned-status', replies.length ? '' : 'Nessuna risposta predefinita.');
    var conversation = O.conversation();
    var canWrite = !!conversation && !$('message-text').disabled;
    replies.forEach(function (r) {
      var titleId = 'canned-' + str(r.id);
      var insert = el('button', { type: 'button', className: 'btn btn-secondary btn-small', 'aria-describedby': titleId, 'data-canned': str(r.id) }, 'Inserisci');
      insert.disabled = !canWrite;
      insert.addEventListener('click', function () {
        var current = O.conversation();
        if (current) O.insertIntoComposer(fill(r.text, current.session));
      });
      list.appendChild(el('li', { className: 'suggestion canned-reply' }, [
        el('p', { className: 'suggestion-title', id: titleId }, str(r.title)),
        el('p', { className: 'suggestion-answer' }, str(r.text)),
        insert,
      ]));
    });
  }

  function renderAdmin() {
    var me = O.me();
    if (!me || me.role !== 'supervisor') return;
    var list = clear($('canned-admin-list'));
    replies.forEach(function (r) {
      var edit = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, ['Modifica', el('span', { className: 'visually-hidden' }, ' ' + str(r.title))]);
      edit.addEventListener('click', function () { startEdit(r); });
      var remove = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, ['Elimina', el('span', { className: 'visually-hidden' }, ' ' + str(r.title))]);
      remove.addEventListener('click', function () { removeReply(r); });
      list.appendChild(el('li', { className: 'canned-admin-item' }, [
        el('p', null, el('strong', null, str(r.title))),
        el('p', { className: 'prewrap' }, str(r.text)),
        el('p', { className: 'canned-admin-actions' }, [edit, ' ', remove]),
      ]));
    });
  }

  function startEdit(reply) {
    editing = reply ? reply.id : null;
    $('canned-title-input').value = reply ? str(reply.title) : '';
    $('canned-text-input').value = reply ? str(reply.text) : '';
    setText('canned-form-title', reply ? 'Modifica risposta' : 'Nuova risposta');
    $('canned-cancel').hidden = !reply;
    setText('canned-error', '');
    if (reply) $('canned-title-input').focus();
  }

  function saveReply(event) {
    event.preventDefault();
    var body = { title: $('canned-title-input').value.trim(), text: $('canned-text-input').value.trim() };
    if (!body.title || !body.text) {
      setText('canned-error', 'Scrivi titolo e testo.');
      return;
    }
    var request = editing ? O.api('PUT', '/canned-replies/' + encode(editing), body) : O.api('POST', '/canned-replies', body);
    request
      .then(function () {
        O.notice(editing ? 'Risposta aggiornata.' : 'Risposta aggiunta.', 'success');
        startEdit(null);
        return loadReplies();
      })
      .catch(function (error) {
        if (error.status === 401) return;
        var details = error.details && error.details.length ? ' (' + error.details.join('; ') + ')' : '';
        setText('canned-error', 'Non salvata: ' + O.describeError(error, { UNKNOWN_PLACEHOLDER: 'segnaposto sconosciuto: usa {{operatore}}, {{codice}} o {{argomento}}' }) + details);
      });
  }

  function removeReply(reply) {
    O.api('DELETE', '/canned-replies/' + encode(reply.id))
      .then(function () {
        O.notice('Risposta \u201c' + str(reply.title) + '\u201d eliminata.', 'success');
        if (editing === reply.id) startEdit(null);
        return loadReplies();
      })
      .catch(function (error) {
        if (error.status !== 401) O.notice('Risposta non eliminata: ' + O.describeError(error), 'error');
      });
  }

  // ---------------------------------------------------------------- internal notes

  function renderNotes(notes) {
    var list = clear($('notes-list'));
    notes.forEach(function (n) {
      list.appendChild(el('li', { className: 'note note-' + (n.kind === 'wrap-up' ? 'wrap-up' : 'internal') }, [
        el('p', { className: 'entry-head' }, [
          el('span', { className: 'entry-who' }, (n.kind === 'wrap-up' ? 'Nota di chiusura' : 'Nota interna') + ' \u2013 ' + str(n.operator)),
          el('time', { datetime: str(n.at) }, O.formatDateTime(n.at)),
        ]),
        el('p', { className: 'entry-text' }, str(n.text)),
      ]));
    });
    if (!notes.length) list.appendChild(el('li', { className: 'empty' }, 'Nessuna nota.'));
  }

  function loadNotes(sessionId) {
    var seq = (notesSeq += 1);
    notesFor = sessionId;
    return O.api('GET', '/conversations/' + encode(sessionId) + '/notes')
      .then(function (data) {
        if (seq !== notesSeq) return;
        $('notes').hidden = false;
        renderNotes(Array.isArray(data.notes) ? data.notes : []);
      })
      .catch(function () {
        // A queued card: its notes are for whoever takes it.
        if (seq === notesSeq) $('notes').hidden = true;
      });
  }

  function addNote(event) {
    event.preventDefault();
    var text = $('note-text').value.trim();
    if (!notesFor) return;
    if (!text) {
      setText('note-error', 'Scrivi la nota prima di aggiungerla.');
      $('note-text').focus();
      return;
    }
    setText('note-error', '');
    var sessionId = notesFor;
    O.api('POST', '/conversations/' + encode(sessionId) + '/notes', { text: text })
      .then(function () {
        $('note-text').value = '';
        return loadNotes(sessionId);
      })
      .catch(function (error) {
        if (error.status !== 401) setText('note-error', 'Nota non salvata: ' + O.describeError(error));
      });
  }

  // ---------------------------------------------------------------- callbacks

  function loadCallbacks() {
    setText('callbacks-status', 'Caricamento\u2026');
    return O.api('GET', '/callbacks')
      .then(function (data) {
        var callbacks = Array.isArray(data.callbacks) ? data.callbacks : [];
        var body = clear($('callbacks-body'));
        callbacks.forEach(function (c) {
          var done = el('button', { type: 'button', className: 'btn btn-primary btn-small', 'data-callback': str(c.id) }, ['Fatta', el('span', { className: 'visually-hidden' }, ' ' + str(c.phoneNumber))]);
          done.addEventListener('click', function () { markDone(c, done); });
          body.appendChild(el('tr', null, [
            el('th', { scope: 'row' }, el('a', { href: 'tel:' + str(c.phoneNumber).replace(/[^+\d]/g, '') }, str(c.phoneNumber))),
            el('td', null, c.topicTitle ? str(c.topicTitle) : str(c.description)),
            el('td', { className: 'prewrap' }, str(c.note) || '\u2013'),
            el('td', null, el('time', { datetime: str(c.createdAt) }, O.formatDateTime(c.createdAt))),
            el('td', null, str(c.operator)),
            el('td', null, done),
          ]));
        });
        $('callbacks-table').hidden = callbacks.length === 0;
        setText('callbacks-count', callbacks.length ? '(' + callbacks.length + ')' : '');
        setText('callbacks-status', callbacks.length ? callbacks.length + (callbacks.length === 1 ? ' richiamata da fare.' : ' richiamate da fare.') : 'Nessuna richiamata da fare.');
      })
      .catch(function (error) {
        if (error.status !== 401) setText('callbacks-status', 'Impossibile caricare le richiamate: ' + O.describeError(error));
      });
  }

  function markDone(callback, button) {
    button.disabled = true;
    O.api('POST', '/callbacks/' + encode(callback.id) + '/done')
      .then(function () { O.notice('Richiamata a ' + str(callback.phoneNumber) + ' segnata come fatta.', 'success'); })
      .catch(function (error) {
        if (error.status !== 401) O.notice(O.describeError(error), 'error');
      })
      .then(loadCallbacks);
  }

  // ---------------------------------------------------------------- history

  function searchHistory(event) {
    if (event) event.preventDefault();
    var params = [];
    [['code', 'history-code'], ['reference', 'history-reference'], ['topic', 'history-topic'], ['from', 'history-from'], ['to', 'history-to'], ['operator', 'history-operator']].forEach(function (pair) {
      var input = $(pair[1]);
      var value = input.closest('[hidden]') ? '' : input.value.trim();
      if (value) params.push(pair[0] + '=' + encode(value));
    });
    setText('history-status', 'Ricerca\u2026');
    return O.api('GET', '/history' + (params.length ? '?' + params.join('&') : ''))
      .then(function (data) {
        var conversations = Array.isArray(data.conversations) ? data.conversations : [];
        var requests = Array.isArray(data.requests) ? data.requests : [];
        var body = clear($('history-body'));
        conversations.forEach(function (s) {
          var open = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, ['Apri', el('span', { className: 'visually-hidden' }, ' ' + O.cardTitle(s))]);
          open.addEventListener('click', function () { O.openConversation(s.id); });
          body.appendChild(el('tr', null, [
            el('td', null, el('time', { datetime: str(s.endedAt) }, O.formatDateTime(s.endedAt))),
            el('td', null, str(s.phoneCode) || '\u2013'),
            el('td', { className: 'prewrap' }, O.cardTitle(s)),
            el('td', null, O.outcomeLabel(s.outcome)),
            el('td', null, s.operator ? str(s.operator) : '\u2013'),
            el('td', null, open),
          ]));
        });
        var rbody = clear($('history-requests-body'));
        requests.forEach(function (r) {
          rbody.appendChild(el('tr', null, [
            el('th', { scope: 'row' }, str(r.reference)),
            el('td', null, O.formatDateTime(r.createdAt)),
            el('td', null, r.status === 'open' ? 'Aperta' : 'Chiusa'),
            el('td', { className: 'prewrap' }, str(r.description)),
          ]));
        });
        $('history-table').hidden = conversations.length === 0;
        $('history-requests').hidden = requests.length === 0;
        var found = conversations.length + requests.length;
        setText('history-status', found ? found + (found === 1 ? ' risultato.' : ' risultati.') : 'Nessun risultato nel periodo di conservazione.');
      })
      .catch(function (error) {
        if (error.status === 401) return;
        var details = error.details && error.details.length ? ': ' + error.details.join('; ') : '';
        setText('history-status', 'Ricerca non valida' + details + (details ? '' : ': ' + O.describeError(error)));
      });
  }

  // ---------------------------------------------------------------- wiring

  O.on('start', function (me) {
    var supervisor = me.role === 'supervisor';
    $('history-operator-field').hidden = !supervisor;
    setText('history-scope', supervisor ? 'Conversazioni concluse di tutti gli operatori, finché sono conservate.' : 'Le conversazioni concluse che hai gestito, finché sono conservate.');
    loadReplies();
    loadCallbacks();
  });
  O.on('reset', function () {
    replies = [];
    notesFor = null;
    clear($('canned-list'));
    clear($('callbacks-body'));
    clear($('history-body'));
    setText('callbacks-count', '');
  });
  O.on('conversation', function (data) {
    if (data.session.id !== notesFor) $('note-text').value = '';
    setText('note-error', '');
    loadNotes(data.session.id);
    renderReplies();
  });
  O.on('conversation-cleared', function () {
    notesFor = null;
    notesSeq += 1;
    $('notes').hidden = true;
    renderReplies();
  });
  O.on('session', function () { renderReplies(); });
  // A note added on another console (a colleague, a supervisor, or this operator elsewhere).
  O.on('push', function (data) {
    if (data && data.type === 'note' && notesFor && data.sessionId === notesFor) loadNotes(notesFor);
  });
  O.on('closed', function (event) {
    if (event.outcome === 'callback') loadCallbacks();
  });
  O.on('tab', function (name) {
    if (name === 'callbacks') loadCallbacks();
    if (name === 'supervision') loadReplies();
  });

  function init() {
    $('canned-form').addEventListener('submit', saveReply);
    $('canned-cancel').addEventListener('click', function () { startEdit(null); });
    $('note-form').addEventListener('submit', addNote);
    $('callbacks-refresh').addEventListener('click', loadCallbacks);
    $('history-form').addEventListener('submit', searchHistory);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
