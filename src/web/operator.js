/*
 * Dialogo – console operatori del contact centre 020202 (Comune di Milano).
 *
 * Vanilla JavaScript, no build step. Talks to /api/operator/* (JSON, bearer token kept in
 * sessionStorage) and to the push WebSocket /api/operator/ws?token=…
 *
 * SECURITY: every text that comes from the server (citizen messages, descriptions, names, topic
 * titles, ticket fields) is rendered with textContent / createTextNode. This file never assigns
 * HTML markup to the DOM; links from the knowledge base are accepted only with http(s) URLs.
 */
(function () {
  'use strict';

  var C = window.DialogoConsole;
  var $ = C.$, el = C.el, append = C.append, clear = C.clear, setText = C.setText, str = C.str, ApiError = C.ApiError;

  var API = '/api/operator';
  var BASE_TITLE = 'Dialogo - operatori';
  // Queue cards change colour past these waits (seconds): one place for both thresholds.
  var WAIT_AMBER_SEC = 120;
  var WAIT_RED_SEC = 300;
  var LOGIN_TITLE = 'Console operatori 020202 \u2013 Comune di Milano';
  var BACKOFF_MS = [1000, 2000, 5000, 10000];
  // Close code of the push socket when the token expired or the account was removed (src/operators/operator-routes.ts).
  var TOKEN_INVALID_CLOSE = 4401;
  var NOTICE_MS = 10000;
  // What the API takes in one message to the citizen (POST /conversations/{id}/messages).
  var MAX_MESSAGE_CHARS = 2000;

  var CHANNELS = { directline: 'Web', facebook: 'Messenger' };
  var LANGUAGES = { it: 'Italiano', en: 'Inglese' };
  var ROLES = { operator: 'Operatore', supervisor: 'Supervisore' };
  var STATES = { queued: 'In coda', connected: 'In corso', closed: 'Chiusa', abandoned: 'Abbandonata' };
  var OUTCOMES = { resolved: 'Risolta', 'written-request': 'Richiesta scritta', callback: 'Richiamata' };

  var state = {
    token: null,
    me: null,
    sessions: [], // the latest queue: Session[]
    operators: [], // supervisors only: OperatorStatus[]
    knownQueued: null, // ids of queued sessions already seen (null before the first queue)
    claimed: {}, // ids claimed from this page: they are mine even before the queue says so
    clockOffset: 0, // browser clock minus server clock, in ms (from waitingSec)
    selectedId: null,
    conversation: null, // { session, transcript, messages, keys }
    drafts: {}, // sessionId -> unsent text
    unread: {}, // sessionId -> count of citizen messages not yet seen
    unseenOpen: 0, // citizen messages in the open conversation while the page had no focus
    suggestionSeq: 0,
    suggestionText: null,
    conversationSeq: 0,
    sending: false,
    ws: null,
    wsAttempt: 0,
    wsTimer: null,
    wsEverOpened: false,
    tab: 'conversations',
    noticeTimer: null,
  };

  // ---------------------------------------------------------------- hooks for the other console scripts

  var listeners = {};
  function on(name, fn) {
    (listeners[name] = listeners[name] || []).push(fn);
  }
  // Listeners registered with `on` (operator-alerts.js, operator-workspace.js, operator-keys.js),
  // and the same event on document as `dialogo:<name>` (operator-requests.js listens there).
  function emit(name, data) {
    (listeners[name] || []).forEach(function (fn) {
      try { fn(data); } catch (e) { if (window.console) window.console.error(e); }
    });
    document.dispatchEvent(new CustomEvent('dialogo:' + name, { detail: data }));
  }

  // ---------------------------------------------------------------- DOM helpers

  var uid = 0;
  function nextId(prefix) {
    uid += 1;
    return prefix + '-' + uid;
  }

  // ---------------------------------------------------------------- formatting

  function channelLabel(channel) {
    return CHANNELS[channel] || str(channel) || 'Sconosciuto';
  }

  function languageLabel(language) {
    return LANGUAGES[language] || str(language);
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  /** mm:ss (minutes keep counting past 59). */
  function formatDuration(totalSeconds) {
    var s = Math.max(0, Math.floor(totalSeconds));
    return pad(Math.floor(s / 60)) + ':' + pad(s % 60);
  }

  function secondsSince(iso) {
    var t = Date.parse(iso);
    if (isNaN(t)) return 0;
    return (Date.now() - state.clockOffset - t) / 1000;
  }

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return d.toLocaleTimeString('it-IT', { hour: '2-digit', minute: '2-digit' });
  }

  function formatDateTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return str(iso);
    return d.toLocaleString('it-IT', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  function safeLink(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
  }

  // ---------------------------------------------------------------- API

  function api(method, path, body) {
    return C.request(method, API + path, body, state.token).then(C.json, function (failure) {
      // A token that is no longer valid sends the operator back to the login form.
      if (failure instanceof ApiError && failure.status === 401 && path !== '/login') logout('La sessione è scaduta: accedi di nuovo.');
      throw failure;
    });
  }

  function describeError(error, known) {
    // A colleague's conversation: the server says whose, in Italian.
    if (error instanceof ApiError && error.code === 'CONVERSATION_FORBIDDEN' && error.message) return error.message;
    return C.describeError(error, known, { 403: 'Operazione non consentita per il tuo ruolo.', 404: 'Elemento non trovato.' });
  }


  // ---------------------------------------------------------------- notices and live regions

  function notice(text, kind) {
    var box = $('notice');
    clearTimeout(state.noticeTimer);
    box.className = 'notice' + (text ? ' notice-' + (kind || 'info') : '');
    box.textContent = text || '';
    if (text) {
      state.noticeTimer = setTimeout(function () {
        box.textContent = '';
        box.className = 'notice';
      }, NOTICE_MS);
    }
  }

  function announceQueue(text) {
    // Re-set the text so that the same announcement is repeated.
    var region = $('queue-live');
    region.textContent = '';
    setTimeout(function () { region.textContent = text; }, 50);
  }

  function setBanner(visible) {
    var banner = $('connection-banner');
    banner.textContent = visible ? 'Connessione persa, riconnessione\u2026' : '';
    banner.classList.toggle('is-visible', visible);
  }

  // ---------------------------------------------------------------- login / logout

  var loadToken = C.loadToken;
  var saveToken = C.saveToken;

  // The open conversation and the unsent drafts, kept in this tab's sessionStorage (like the
  // token) so that a reload puts the operator back where they were; removed on "Esci".
  var VIEW_KEY = 'dialogo.operator.view';

  function readView() {
    try {
      var view = JSON.parse(sessionStorage.getItem(VIEW_KEY) || 'null');
      if (!view || typeof view !== 'object') return { open: null, drafts: {} };
      var drafts = {};
      if (view.drafts && typeof view.drafts === 'object') {
        Object.keys(view.drafts).forEach(function (id) { if (typeof view.drafts[id] === 'string') drafts[id] = view.drafts[id]; });
      }
      return { open: typeof view.open === 'string' ? view.open : null, drafts: drafts };
    } catch (e) {
      return { open: null, drafts: {} };
    }
  }

  function persistView() {
    if (!state.me) return;
    saveDraft();
    try { sessionStorage.setItem(VIEW_KEY, JSON.stringify({ open: state.selectedId, drafts: state.drafts })); } catch (e) { /* storage disabled: a reload starts afresh */ }
  }

  function forgetView() {
    try { sessionStorage.removeItem(VIEW_KEY); } catch (e) { /* nothing kept */ }
  }

  function showLogin(message) {
    $('app-view').hidden = true;
    $('header-tools').hidden = true;
    $('login-view').hidden = false;
    document.title = LOGIN_TITLE;
    setText('login-message', message || '');
    $('login-password').value = '';
    $('login-username').focus();
  }

  function onLoginSubmit(event) {
    event.preventDefault();
    var username = $('login-username').value.trim();
    var password = $('login-password').value;
    if (!username || !password) {
      setText('login-message', 'Inserisci nome utente e password.');
      (username ? $('login-password') : $('login-username')).focus();
      return;
    }
    var button = $('login-submit');
    button.disabled = true;
    setText('login-message', '');
    api('POST', '/login', { username: username, password: password })
      .then(function (data) {
        if (!data.token || !data.operator) throw new ApiError(0, 'BAD_RESPONSE', 'Risposta del server non valida.');
        state.token = data.token;
        saveToken(data.token);
        startConsole(data.operator);
      })
      .catch(function (error) {
        setText('login-message', C.describeLoginError(error, document.documentElement.lang));
        $('login-password').value = '';
        $('login-password').focus();
      })
      .then(function () { button.disabled = false; });
  }

  function logout(message) {
    var wasLoggedIn = !!state.token;
    disarmLogout();
    state.token = null;
    saveToken(null);
    forgetView();
    stopSocket();
    resetState();
    if (wasLoggedIn || message) showLogin(message);
  }

  /**
   * "Esci" with conversations still held would leave their citizens writing to nobody: the
   * conversations stay with the operator, who is away at once, until a supervisor moves them or
   * the idle close ends them. The first press says so; a second press within NOTICE_MS signs out.
   */
  function onLogoutClick() {
    var held = mySessions().length;
    var button = $('logout');
    if (held > 0 && !state.logoutArmed) {
      state.logoutArmed = true;
      button.textContent = 'Esci comunque';
      notice((held === 1
        ? 'Hai 1 conversazione aperta: chiudila o trasferiscila a un collega prima di uscire, altrimenti il cittadino resta in attesa.'
        : 'Hai ' + held + ' conversazioni aperte: chiudile o trasferiscile a un collega prima di uscire, altrimenti i cittadini restano in attesa.') +
        ' Per uscire lo stesso premi di nuovo \u201cEsci comunque\u201d.', 'error');
      clearTimeout(state.logoutTimer);
      state.logoutTimer = setTimeout(disarmLogout, NOTICE_MS);
      return;
    }
    disarmLogout();
    // The server voids this session's token too, so that a copy of it opens nothing.
    if (state.token) C.request('POST', API + '/logout', undefined, state.token).catch(function () { /* the token expires anyway */ });
    logout('Sei uscito dalla console.');
  }

  function disarmLogout() {
    clearTimeout(state.logoutTimer);
    state.logoutArmed = false;
    $('logout').textContent = 'Esci';
  }

  function resetState() {
    state.me = null;
    state.presenceStatus = null;
    state.sessions = [];
    state.operators = [];
    state.knownQueued = null;
    state.claimed = {};
    state.selectedId = null;
    state.conversation = null;
    state.drafts = {};
    state.unread = {};
    state.suggestionText = null;
    state.suggestionSeq += 1;
    state.conversationSeq += 1;
    clearConversationView();
    clear($('queue-list'));
    clear($('mine-list'));
    emit('reset');
    clear($('operators-body'));
    clear($('active-body'));
    setText('notice', '');
    state.unseenOpen = 0;
    emit('reset');
  }

  function startConsole(me) {
    state.me = { name: str(me.name), displayName: str(me.displayName) || str(me.name), role: me.role === 'supervisor' ? 'supervisor' : 'operator', maxConcurrent: Number(me.maxConcurrent) || 1 };
    setText('operator-name', state.me.name);
    setText('operator-role', ROLES[state.me.role]);
    $('tab-supervision').hidden = state.me.role !== 'supervisor';
    $('login-view').hidden = true;
    $('header-tools').hidden = false;
    $('app-view').hidden = false;
    setText('login-message', '');
    $('login-password').value = '';
    selectTab('conversations', false);
    // After a reload: the conversation that was open, with the drafts not yet sent.
    var restored = readView();
    state.drafts = restored.drafts;
    renderAll();
    refreshQueue().then(function () {
      if (!state.me) return;
      Object.keys(state.drafts).forEach(function (id) { if (!findSession(id)) delete state.drafts[id]; });
      if (restored.open && !state.selectedId && findSession(restored.open)) openConversation(restored.open);
      else persistView();
    });
    connectSocket();
    emit('start', state.me);
    $('main').focus();
  }

  // ---------------------------------------------------------------- queue

  function refreshQueue() {
    if (!state.token) return Promise.resolve();
    return api('GET', '/queue')
      .then(function (data) {
        applyQueue(data.sessions, data.operators);
        afterQueue(data);
      })
      .catch(function (error) {
        if (error.status !== 401) notice('Impossibile aggiornare la coda: ' + describeError(error), 'error');
      });
  }

  function isMine(session) {
    if (!session || session.state !== 'connected' || !state.me) return false;
    if (state.claimed[session.id]) return true;
    if (session.operator && session.operator === state.me.name) return true;
    // Operators receive only the queued sessions and their own connected ones.
    if (state.me.role === 'supervisor') return false;
    var listed = findSession(session.id);
    return !!listed && listed.state === 'connected';
  }

  function queuedSessions() {
    return state.sessions
      .filter(function (s) { return s.state === 'queued'; })
      .sort(function (a, b) {
        var pa = typeof a.position === 'number' ? a.position : Infinity;
        var pb = typeof b.position === 'number' ? b.position : Infinity;
        if (pa !== pb) return pa - pb;
        return Date.parse(a.queuedAt) - Date.parse(b.queuedAt);
      });
  }

  function mySessions() {
    return state.sessions.filter(isMine);
  }

  /** Whether a new citizen is for this console: supervisors watch the floor; operators when available with room. */
  function canTakeCitizens() {
    if (!state.me || state.me.role !== 'operator') return true;
    if (state.presenceStatus && state.presenceStatus !== 'available') return false;
    return mySessions().length < state.me.maxConcurrent;
  }

  function limitText() {
    var max = state.me ? state.me.maxConcurrent : 0;
    return 'Hai raggiunto il limite di ' + max + (max === 1 ? ' conversazione contemporanea' : ' conversazioni contemporanee');
  }

  function atCapacity() {
    return !!state.me && mySessions().length >= state.me.maxConcurrent;
  }

  function applyQueue(sessions, operators) {
    if (!state.me) return;
    state.sessions = Array.isArray(sessions) ? sessions.filter(function (s) { return s && s.id; }) : [];
    if (Array.isArray(operators)) state.operators = operators;
    // Server and browser clocks may differ: waitingSec is the server's truth.
    var sample = state.sessions.filter(function (s) { return s.state === 'queued' && typeof s.waitingSec === 'number' && !isNaN(Date.parse(s.queuedAt)); })[0];
    if (sample) state.clockOffset = Date.now() - Date.parse(sample.queuedAt) - sample.waitingSec * 1000;

    var queued = queuedSessions();
    var ids = {};
    var fresh = [];
    queued.forEach(function (s) {
      ids[s.id] = true;
      if (state.knownQueued && !state.knownQueued[s.id]) fresh.push(s);
    });
    state.knownQueued = ids;
    if (fresh.length === 1) {
      announceQueue('Nuovo cittadino in coda' + (fresh[0].topicTitle ? ': ' + fresh[0].topicTitle : '') + '. In coda: ' + queued.length + '.');
    } else if (fresh.length > 1) {
      announceQueue(fresh.length + ' nuovi cittadini in coda. In coda: ' + queued.length + '.');
    }
    // Tone and desktop notification only for whoever can take a citizen now: an operator who is
    // busy or holds all the conversations they may was called for nothing (the queue still shows).
    if (fresh.length > 0 && canTakeCitizens()) emit('new-citizens', fresh);
    // The selected conversation follows the queue's view of its session.
    if (state.conversation) {
      var current = findSession(state.conversation.session.id);
      if (current) updateConversationSession(current);
    }
    Object.keys(state.unread).forEach(function (id) {
      if (!findSession(id)) delete state.unread[id];
    });
    renderAll();
  }

  function findSession(id) {
    for (var i = 0; i < state.sessions.length; i += 1) if (state.sessions[i].id === id) return state.sessions[i];
    return null;
  }

  function upsertSession(session) {
    var active = session.state === 'queued' || session.state === 'connected';
    var replaced = false;
    state.sessions = state.sessions
      .map(function (s) {
        if (s.id !== session.id) return s;
        replaced = true;
        return session;
      })
      .filter(function (s) { return s.id !== session.id || active; });
    if (!replaced && active) state.sessions.push(session);
  }

  /** Citizens waiting plus citizen messages not yet seen. */
  function updateTitle() {
    var count = queuedSessions().length + state.unseenOpen;
    Object.keys(state.unread).forEach(function (id) { count += state.unread[id] || 0; });
    document.title = count > 0 ? '(' + count + ') ' + BASE_TITLE : BASE_TITLE;
  }

  function waitClass(session) {
    var waited = secondsSince(session.queuedAt);
    return waited > WAIT_RED_SEC ? 'wait-red' : waited > WAIT_AMBER_SEC ? 'wait-amber' : '';
  }

  /** Long waits are coloured (and said, for screen readers and colour-blind operators). */
  function colourWaits() {
    var rows = document.querySelectorAll('#queue-list li[data-session]');
    for (var i = 0; i < rows.length; i += 1) {
      var session = findSession(rows[i].getAttribute('data-session'));
      var kind = session ? waitClass(session) : '';
      rows[i].classList.toggle('wait-amber', kind === 'wait-amber');
      rows[i].classList.toggle('wait-red', kind === 'wait-red');
      var label = rows[i].querySelector('.wait-label');
      if (label) label.textContent = kind === 'wait-red' ? 'Attesa molto lunga' : kind === 'wait-amber' ? 'Attesa lunga' : '';
    }
  }

  /** The card's title: the topic, or the citizen's own description when no topic was recognised. */
  function cardTitle(session) {
    if (session.topicTitle) return str(session.topicTitle);
    return session.description ? str(session.description) : 'Argomento non riconosciuto';
  }

  function renderAll() {
    if (!state.me) return;
    renderQueue();
    renderMine();
    if (state.me.role === 'supervisor') renderSupervision();
    updateTitle();
    persistView();
  }

  function sessionSummary(session, extraClass) {
    var titleId = nextId('s-title');
    var descId = nextId('s-desc');
    var meta = el('p', { className: 'session-meta' }, [
      el('span', { className: 'badge badge-channel' }, channelLabel(session.channel)),
      el('span', { className: 'badge' + (session.language === 'en' ? ' badge-en' : '') }, languageLabel(session.language)),
      session.phoneCode ? el('span', { className: 'phone-code' }, ['Codice ', el('strong', null, str(session.phoneCode))]) : null,
      presenceBadge(session),
    ]);
    return {
      titleId: titleId,
      descId: descId,
      nodes: [
        meta,
        el('p', { className: 'session-topic' + (session.topicTitle ? '' : ' is-description'), id: titleId, title: session.topicTitle ? null : str(session.description) }, cardTitle(session)),
        // Without a topic the description is already the title.
        session.topicTitle ? el('p', { className: 'session-desc' + (extraClass ? ' ' + extraClass : ''), id: descId, title: str(session.description) }, session.description ? str(session.description) : 'Nessuna descrizione') : null,
        handoverLine(session),
      ],
    };
  }

  function timer(since, label) {
    var node = el('span', { className: 'timer', 'data-since': since || '' });
    node.appendChild(el('span', { className: 'visually-hidden' }, label + ' '));
    node.appendChild(el('span', { className: 'timer-value' }, formatDuration(secondsSince(since))));
    return node;
  }

  function renderQueue() {
    var list = clear($('queue-list'));
    var queued = queuedSessions();
    var full = atCapacity();
    setText('queue-count', '(' + queued.length + ')');
    $('queue-empty').hidden = queued.length > 0;
    var note = $('capacity-note');
    note.hidden = !full;
    note.textContent = full ? limitText() + ': chiudine una per prenderne altre.' : '';
    queued.forEach(function (session) {
      var summary = sessionSummary(session, 'one-line');
      var claim = el('button', {
        type: 'button',
        className: 'btn btn-primary btn-small',
        'aria-describedby': summary.titleId + ' ' + summary.descId + (full ? ' capacity-note' : ''),
        'data-claim': session.id,
      }, 'Prendi');
      claim.disabled = full;
      claim.addEventListener('click', function () { claimSession(session.id, claim); });
      var wait = waitClass(session);
      var head = el('div', { className: 'session-head' }, [
        timer(session.queuedAt, 'In attesa da'),
        el('span', { className: 'wait-label' }, wait === 'wait-red' ? 'Attesa molto lunga' : wait === 'wait-amber' ? 'Attesa lunga' : ''),
        typeof session.position === 'number' ? el('span', { className: 'position' }, 'Posizione ' + session.position) : null,
        claim,
      ]);
      list.appendChild(el('li', { className: 'session-row' + (session.language === 'en' ? ' is-english' : '') + (wait ? ' ' + wait : ''), 'data-session': session.id }, [head].concat(summary.nodes)));
    });
  }

  function renderMine() {
    var list = clear($('mine-list'));
    var mine = mySessions();
    setText('mine-count', '(' + mine.length + '/' + state.me.maxConcurrent + ')');
    $('mine-count').setAttribute('aria-label', mine.length + ' su un massimo di ' + state.me.maxConcurrent);
    $('mine-empty').hidden = mine.length > 0;
    mine.forEach(function (session) {
      var summary = sessionSummary(session, 'one-line');
      var unread = state.unread[session.id] || 0;
      var selected = state.selectedId === session.id;
      var open = el('button', {
        type: 'button',
        className: 'btn btn-secondary btn-small',
        'aria-describedby': summary.titleId + ' ' + summary.descId,
        'aria-current': selected ? 'true' : null,
        'data-open': session.id,
      }, selected ? 'Aperta' : 'Apri');
      open.addEventListener('click', function () { openConversation(session.id); });
      var head = el('div', { className: 'session-head' }, [
        timer(session.connectedAt || session.queuedAt, 'In corso da'),
        unread ? el('span', { className: 'unread' }, unread === 1 ? '1 nuovo messaggio' : unread + ' nuovi messaggi') : null,
        open,
      ]);
      list.appendChild(el('li', { className: 'session-row' + (selected ? ' is-selected' : ''), 'data-session': session.id }, [head].concat(summary.nodes)));
    });
  }

  function tick() {
    colourWaits();
    var timers = document.querySelectorAll('.timer[data-since]');
    for (var i = 0; i < timers.length; i += 1) {
      var value = timers[i].querySelector('.timer-value');
      if (value) value.textContent = formatDuration(secondsSince(timers[i].getAttribute('data-since')));
    }
    tickPresence();
  }

  // ---------------------------------------------------------------- claim

  function claimSession(id, button) {
    if (atCapacity()) {
      notice(limitText() + '.', 'error');
      return;
    }
    if (button) button.disabled = true;
    api('POST', '/conversations/' + encodeURIComponent(id) + '/claim')
      .then(function (data) {
        state.claimed[id] = true;
        if (data.session) upsertSession(data.session);
        renderAll();
        notice('Conversazione presa in carico.', 'success');
        return openConversation(id, 'composer');
      })
      .catch(function (error) {
        if (error.status === 401) return;
        if (error.code === 'ALREADY_CLAIMED') {
          notice('Già preso da un collega.', 'error');
          refreshQueue();
          return;
        }
        if (error.code === 'OPERATOR_AT_CAPACITY') {
          notice(limitText() + ': chiudine una per prenderne altre.', 'error');
          refreshQueue();
          return;
        }
        notice('Impossibile prendere la conversazione: ' + describeError(error), 'error');
        if (button) button.disabled = atCapacity();
      });
  }

  // ---------------------------------------------------------------- conversation view

  function clearConversationView() {
    state.selectedId = null;
    state.conversation = null;
    $('conversation-view').hidden = true;
    $('conversation-empty').hidden = false;
    clear($('transcript'));
    clear($('messages'));
    clear($('suggestions'));
    setText('suggestions-status', '');
    setText('suggestions-for', '');
    setText('composer-error', '');
    setText('close-error', '');
    $('message-text').value = '';
    $('close-note').value = '';
    $('close-number').value = '';
    state.unseenOpen = 0;
    emit('conversation-cleared');
  }

  function saveDraft() {
    if (state.selectedId) {
      var text = $('message-text').value;
      if (text) state.drafts[state.selectedId] = text;
      else delete state.drafts[state.selectedId];
    }
  }

  /** Opens a conversation; focus goes to its title, or to the composer (`focus === 'composer'`, after a claim). */
  function openConversation(id, focus) {
    saveDraft();
    selectTab('conversations', false);
    var seq = (state.conversationSeq += 1);
    return api('GET', '/conversations/' + encodeURIComponent(id))
      .then(function (data) {
        if (seq !== state.conversationSeq || !state.me) return;
        showConversation(data);
        if (focus === 'composer' && !$('message-text').disabled) $('message-text').focus();
        else $('conv-title').focus();
      })
      .catch(function (error) {
        if (seq !== state.conversationSeq || error.status === 401) return;
        notice('Impossibile aprire la conversazione: ' + describeError(error, { NOT_FOUND: 'la conversazione non esiste più.' }), 'error');
      });
  }

  function entryKey(entry) {
    return str(entry.at) + '|' + str(entry.from) + '|' + str(entry.text);
  }

  function showConversation(data) {
    var session = data.session;
    var sameSession = state.selectedId === session.id;
    state.selectedId = session.id;
    state.conversation = { session: session, transcript: data.transcript || [], messages: [], keys: {} };
    delete state.unread[session.id];
    $('conversation-empty').hidden = true;
    $('conversation-view').hidden = false;

    var transcript = clear($('transcript'));
    state.conversation.transcript.forEach(function (entry) { transcript.appendChild(renderEntry(entry, true)); });
    $('transcript-empty').hidden = state.conversation.transcript.length > 0;

    // Filling the log at once is not a stream of new messages for screen readers.
    var log = $('messages-log');
    log.setAttribute('aria-busy', 'true');
    clear($('messages'));
    (data.messages || []).forEach(function (entry) { addMessage(entry, false); });
    log.removeAttribute('aria-busy');

    if (!sameSession) {
      $('message-text').value = state.drafts[session.id] || '';
      setText('composer-error', '');
      setText('close-error', '');
    }
    updateConversationSession(session);
    state.suggestionText = null;
    refreshSuggestions();
    scrollChat(true);
    state.unseenOpen = 0;
    emit('conversation', data);
    renderAll();
  }

  function updateConversationSession(session) {
    if (!state.conversation || state.conversation.session.id !== session.id) return;
    state.conversation.session = session;
    setText('conv-title', cardTitle(session));
    var meta = clear($('conv-meta'));
    append(meta, [
      el('span', { className: 'badge badge-channel' }, channelLabel(session.channel)),
      el('span', { className: 'badge' + (session.language === 'en' ? ' badge-en' : '') }, languageLabel(session.language)),
      el('span', { className: 'badge badge-state badge-' + str(session.state) }, STATES[session.state] || str(session.state)),
      presenceBadge(session),
      session.phoneCode ? el('span', null, ['Codice telefono ', el('strong', null, str(session.phoneCode))]) : null,
      session.operator ? el('span', null, ['Operatore ', el('strong', null, str(session.operator))]) : null,
    ]);
    // Without a topic the description is the title already.
    setText('conv-description', session.description && session.topicTitle ? 'Richiesta del cittadino: ' + session.description : '');

    var mine = isMine(session);
    var canWrite = mine && session.state === 'connected';
    var stateText = '';
    if (session.state === 'abandoned') stateText = ENDINGS[session.outcome] || 'Il cittadino ha lasciato la conversazione.';
    else if (session.state === 'closed') stateText = ENDINGS[session.outcome] || 'Conversazione chiusa.';
    else if (session.state === 'queued') stateText = 'Il cittadino è in coda: prendi la conversazione per rispondere.';
    else if (!mine) stateText = 'Conversazione gestita da ' + (session.operator ? str(session.operator) : 'un collega') + ': sola lettura.';
    if ($('conv-state').textContent !== stateText) setText('conv-state', stateText);

    var claim = $('conv-claim');
    claim.hidden = session.state !== 'queued';
    claim.disabled = atCapacity();
    $('message-text').disabled = !canWrite;
    $('send').disabled = !canWrite || state.sending;
    // Supervisors may close any connected conversation (the API always allowed it).
    var canClose = canWrite || (state.me.role === 'supervisor' && session.state === 'connected');
    $('close-outcome').disabled = !canClose;
    $('close-note').disabled = !canClose;
    $('close-number').disabled = !canClose;
    $('close-submit').disabled = !canClose;
    updateTransferForm(session, canWrite);
    emit('session', session);
  }

  function renderEntry(entry, inTranscript) {
    var from = ['citizen', 'bot', 'operator', 'system'].indexOf(entry.from) >= 0 ? entry.from : 'system';
    var who = { citizen: 'Cittadino', bot: 'Assistente virtuale', operator: entry.operator ? 'Operatore ' + str(entry.operator) : 'Operatore', system: 'Sistema' }[from];
    var header = el('p', { className: 'entry-head' }, [
      el('span', { className: 'entry-who' }, who),
      entry.at ? el('time', { datetime: str(entry.at) }, formatTime(entry.at)) : null,
    ]);
    var topic = from === 'bot' && entry.topicTitle ? el('p', { className: 'entry-topic' }, ['Argomento: ', el('strong', null, str(entry.topicTitle))]) : null;
    return el('li', { className: 'entry entry-' + from + (inTranscript ? ' entry-transcript' : '') }, [
      header,
      topic,
      el('p', { className: 'entry-text' }, str(entry.text)),
    ]);
  }

  /** Appends a live message once (the POST answer and the WebSocket push may both bring it). */
  function addMessage(entry, scroll) {
    if (!state.conversation || !entry) return false;
    var key = entryKey(entry);
    if (state.conversation.keys[key]) return false;
    state.conversation.keys[key] = true;
    state.conversation.messages.push(entry);
    var list = $('messages');
    var nearBottom = isNearBottom();
    list.appendChild(renderEntry(entry, false));
    if (scroll) scrollChat(nearBottom || entry.from === 'operator');
    return true;
  }

  function isNearBottom() {
    var box = $('chat-scroll');
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function scrollChat(force) {
    var box = $('chat-scroll');
    if (force) box.scrollTop = box.scrollHeight;
  }

  // ---------------------------------------------------------------- sending

  function onComposerKeydown(event) {
    // Enter or Ctrl+Enter sends; Shift+Enter is a new line; Esc leaves the composer so that the shortcuts work.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey && !event.metaKey) {
      event.preventDefault();
      sendMessage();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      $('message-text').blur();
    }
  }

  function sendMessage() {
    if (!state.conversation) return;
    var textarea = $('message-text');
    var text = textarea.value.trim();
    var session = state.conversation.session;
    if (!text) {
      setText('composer-error', 'Scrivi un messaggio prima di inviarlo.');
      return;
    }
    if (state.sending || $('send').disabled) return;
    if (text.length > MAX_MESSAGE_CHARS) {
      // Said here, in Italian, with the count: the API's refusal only says the request is not valid.
      setText('composer-error', 'Messaggio troppo lungo: ' + text.length + ' caratteri, al massimo ' + MAX_MESSAGE_CHARS + '. Accorcialo o dividilo in più messaggi.');
      textarea.focus();
      return;
    }
    setText('composer-error', '');
    state.sending = true;
    $('send').disabled = true;
    var sentFor = session.id;
    api('POST', '/conversations/' + encodeURIComponent(sentFor) + '/messages', { text: text })
      .then(function (data) {
        if (state.selectedId === sentFor) {
          // Keep whatever the operator typed meanwhile, beyond what was sent.
          if (textarea.value.trim() === text) textarea.value = '';
          if (data.message) addMessage(data.message, true);
          // A reload must not bring back what was sent.
          persistView();
        } else {
          delete state.drafts[sentFor];
        }
      })
      .catch(function (error) {
        if (error.status === 401) return;
        var message = describeError(error, {
          MESSAGING_WINDOW_CLOSED: function (e) { return e.message || 'Non è più possibile scrivere a questo cittadino su questo canale.'; },
          NOT_YOUR_CONVERSATION: 'Questa conversazione non è assegnata a te: il messaggio non è stato inviato.',
        });
        if (state.selectedId === sentFor) {
          setText('composer-error', message);
          textarea.focus();
        } else {
          notice('Messaggio non inviato: ' + message, 'error');
        }
      })
      .then(function () {
        state.sending = false;
        if (state.conversation) updateConversationSession(state.conversation.session);
      });
  }

  // ---------------------------------------------------------------- suggestions

  function lastCitizenText() {
    if (!state.conversation) return '';
    var lists = [state.conversation.messages, state.conversation.transcript];
    for (var l = 0; l < lists.length; l += 1) {
      for (var i = lists[l].length - 1; i >= 0; i -= 1) {
        if (lists[l][i].from === 'citizen' && lists[l][i].text) return str(lists[l][i].text);
      }
    }
    return str(state.conversation.session.description);
  }

  function refreshSuggestions() {
    var text = lastCitizenText().trim();
    if (!text) {
      clear($('suggestions'));
      setText('suggestions-for', '');
      setText('suggestions-status', 'Nessun messaggio del cittadino a cui rispondere.');
      return;
    }
    if (text === state.suggestionText) return;
    state.suggestionText = text;
    var seq = (state.suggestionSeq += 1);
    var forSession = state.selectedId;
    setText('suggestions-status', 'Ricerca delle risposte\u2026');
    setText('suggestions-for', 'Per: \u201c' + (text.length > 120 ? text.slice(0, 117) + '\u2026' : text) + '\u201d');
    api('GET', '/suggestions?text=' + encodeURIComponent(text))
      .then(function (data) {
        if (seq !== state.suggestionSeq || forSession !== state.selectedId) return;
        renderSuggestions(Array.isArray(data.suggestions) ? data.suggestions : []);
      })
      .catch(function (error) {
        if (seq !== state.suggestionSeq || error.status === 401) return;
        state.suggestionText = null;
        clear($('suggestions'));
        setText('suggestions-status', 'Suggerimenti non disponibili: ' + describeError(error));
      });
  }

  function renderSuggestions(suggestions) {
    var list = clear($('suggestions'));
    setText('suggestions-status', suggestions.length ? '' : 'Nessuna risposta trovata nella base di conoscenza.');
    suggestions.forEach(function (s) {
      var titleId = nextId('sugg');
      var link = safeLink(s.link);
      var confidence = typeof s.confidence === 'number' ? Math.round(Math.max(0, Math.min(1, s.confidence)) * 100) : null;
      var insert = el('button', { type: 'button', className: 'btn btn-secondary btn-small', 'aria-describedby': titleId }, 'Inserisci');
      insert.addEventListener('click', function () { insertSuggestion(s); });
      list.appendChild(el('li', { className: 'suggestion' }, [
        el('p', { className: 'suggestion-title', id: titleId }, [
          str(s.title) || str(s.topicId),
          confidence !== null ? el('span', { className: 'confidence' }, ' \u2013 affidabilità ' + confidence + '%') : null,
        ]),
        el('p', { className: 'suggestion-answer' }, str(s.answer)),
        link ? el('p', { className: 'suggestion-link' }, el('a', { href: link, target: '_blank', rel: 'noopener noreferrer' }, [link, el('span', { className: 'visually-hidden' }, ' (si apre in una nuova scheda)')])) : null,
        insert,
      ]));
    });
  }

  /** The suggestion's text, with its link if the answer does not already contain it. */
  function suggestionText(s) {
    var text = str(s.answer).trim();
    var link = safeLink(s.link);
    if (link && text.indexOf(link) < 0) text += (text ? '\n' : '') + link;
    return text;
  }

  function insertSuggestion(s) {
    insertIntoComposer(suggestionText(s));
  }

  /** Puts `text` into the composer (at the cursor when there is a draft); never sends it. */
  function insertIntoComposer(text) {
    var textarea = $('message-text');
    if (textarea.disabled) return false;
    var value = textarea.value;
    if (!value.trim()) {
      textarea.value = text;
    } else {
      // Into the existing draft, at the cursor (replacing a selection).
      var start = textarea.selectionStart;
      var end = textarea.selectionEnd;
      var before = value.slice(0, start);
      var after = value.slice(end);
      var glueBefore = before && !/\s$/.test(before) ? ' ' : '';
      textarea.value = before + glueBefore + text + after;
      start = before.length + glueBefore.length + text.length;
      textarea.setSelectionRange(start, start);
    }
    setText('composer-error', '');
    textarea.focus();
    persistView();
    return true;
  }

  // ---------------------------------------------------------------- closing

  function onOutcomeChange() {
    var callback = $('close-outcome').value === 'callback';
    $('close-number-field').hidden = !callback;
    $('close-number').required = callback;
  }

  function onCloseSubmit(event) {
    event.preventDefault();
    if (!state.conversation) return;
    var id = state.conversation.session.id;
    var outcome = $('close-outcome').value;
    var body = { outcome: outcome };
    var note = $('close-note').value.trim();
    if (note) body.note = note;
    if (outcome === 'callback') {
      body.callbackNumber = $('close-number').value.trim();
      if (!body.callbackNumber) {
        setText('close-error', 'Scrivi il numero da richiamare che ti ha dato il cittadino.');
        $('close-number').focus();
        return;
      }
    }
    var button = $('close-submit');
    button.disabled = true;
    setText('close-error', '');
    api('POST', '/conversations/' + encodeURIComponent(id) + '/close', body)
      .then(function (data) {
        delete state.drafts[id];
        delete state.claimed[id];
        delete state.unread[id];
        state.sessions = state.sessions.filter(function (s) { return s.id !== id; });
        if (state.selectedId === id) clearConversationView();
        renderAll();
        notice('Conversazione chiusa con esito \u201c' + OUTCOMES[outcome] + '\u201d.', 'success');
        $('close-outcome').value = 'resolved';
        onOutcomeChange();
        emit('closed', { id: id, outcome: outcome });
        $('conversation-title').focus();
      })
      .catch(function (error) {
        if (error.status === 401) return;
        setText('close-error', 'Chiusura non riuscita: ' + describeError(error, {
          NOT_YOUR_CONVERSATION: 'la conversazione non è assegnata a te.',
          INVALID_PHONE_NUMBER: 'il numero non sembra valido (es. 02 1234 5678, 333 123 4567, +41 44 123 45 67).',
        }));
        if (error.code === 'INVALID_PHONE_NUMBER') $('close-number').focus();
        if (state.conversation) updateConversationSession(state.conversation.session);
      });
  }

  // ---------------------------------------------------------------- phone code

  function onPhoneSubmit(event) {
    event.preventDefault();
    var input = $('phone-code');
    var code = input.value.replace(/\s+/g, '');
    if (!code) {
      setText('phone-error', 'Inserisci il codice letto dal cittadino.');
      input.focus();
      return;
    }
    setText('phone-error', '');
    api('GET', '/phone-codes/' + encodeURIComponent(code))
      .then(function (data) {
        if (!data.session || !data.session.id) throw new ApiError(404, 'NOT_FOUND', '');
        input.value = '';
        upsertSessionIfVisible(data.session);
        return openConversation(data.session.id);
      })
      .catch(function (error) {
        if (error.status === 401) return;
        setText('phone-error', describeError(error, { NOT_FOUND: 'Nessuna conversazione con il codice ' + code + '.' }));
        input.focus();
      });
  }

  function upsertSessionIfVisible(session) {
    if (findSession(session.id)) upsertSession(session);
  }

  // ---------------------------------------------------------------- supervision

  function renderSupervision() {
    var focused = document.activeElement && document.activeElement.getAttribute('data-focus-key');
    var ops = clear($('operators-body'));
    if (!state.operators.length) ops.appendChild(el('tr', null, el('td', { colspan: '4' }, 'Nessun operatore.')));
    state.operators.forEach(function (o) {
      ops.appendChild(el('tr', { 'data-operator': str(o.name) }, [
        el('th', { scope: 'row' }, str(o.name)),
        el('td', null, ROLES[o.role] || str(o.role)),
        el('td', null, presenceCell(o)),
        el('td', null, str(o.active) + '/' + str(o.maxConcurrent)),
      ]));
    });
    var active = clear($('active-body'));
    if (!state.sessions.length) active.appendChild(el('tr', null, el('td', { colspan: '9' }, 'Nessuna conversazione attiva.')));
    state.sessions.forEach(function (s) {
      var view = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, ['Visualizza', el('span', { className: 'visually-hidden' }, ' ' + (s.topicTitle ? str(s.topicTitle) : 'conversazione') + ' ' + str(s.phoneCode))]);
      view.addEventListener('click', function () { openConversation(s.id); });
      view = el('div', { className: 'row-actions' }, [view].concat(supervisorActions(s)));
      active.appendChild(el('tr', null, [
        el('td', null, STATES[s.state] || str(s.state)),
        el('td', null, timer(s.state === 'connected' && s.connectedAt ? s.connectedAt : s.queuedAt, s.state === 'connected' ? 'In corso da' : 'In attesa da')),
        el('td', null, channelLabel(s.channel)),
        el('td', null, languageLabel(s.language)),
        el('td', null, s.topicTitle ? str(s.topicTitle) : '\u2013'),
        el('td', { className: 'prewrap' }, str(s.description)),
        el('td', null, s.operator ? str(s.operator) : '\u2013'),
        el('td', null, str(s.phoneCode)),
        el('td', null, view),
      ]));
    });
    if (focused) {
      var again = document.querySelector('[data-focus-key="' + focused + '"]');
      if (again) again.focus();
    }
  }

  // ---------------------------------------------------------------- presence, supervisor moves, transfer

  var PRESENCE = { available: 'Disponibile', busy: 'Occupato', away: 'Assente' };
  var HANDOVER = { takeover: 'presa in carico', reassign: 'riassegnata', transfer: 'trasferita' };

  /**
   * After every queue (fetched or pushed, which presence changes also send): the operator's own
   * presence, and the colleagues of an open transfer form, whose presence may have changed.
   */
  function afterQueue(data) {
    applyPresence(data.presence);
    if (!$('transfer-form').hidden) loadColleagues();
  }

  function applyPresence(presence) {
    if (!presence || !PRESENCE[presence.status]) return;
    state.presenceStatus = presence.status;
    var select = $('presence-select');
    if (presence.status !== 'away' && document.activeElement !== select) select.value = presence.status;
    setText('presence-since', presence.since ? 'dalle ' + formatTime(presence.since) : '');
  }

  function onPresenceChange() {
    var select = $('presence-select');
    var status = select.value;
    select.disabled = true;
    api('PUT', '/me/presence', { status: status })
      .then(function (data) {
        applyPresence(data.presence);
        notice(status === 'busy' ? 'Stato: occupato. Non ricevi nuove conversazioni.' : 'Stato: disponibile.', 'success');
      })
      .catch(function (error) {
        if (error.status !== 401) notice('Impossibile cambiare stato: ' + describeError(error), 'error');
      })
      .then(function () { select.disabled = false; });
  }

  function presenceCell(o) {
    // A server from before presence only says whether a console is open.
    if (!PRESENCE[o.presence]) return el('span', { className: 'badge ' + (o.online ? 'badge-online' : 'badge-offline') }, o.online ? 'Online' : 'Offline');
    var status = o.presence;
    return [
      el('span', { className: 'badge badge-presence-' + status }, PRESENCE[status]),
      o.presenceSince ? el('span', { className: 'presence-since' }, ' dalle ' + formatTime(o.presenceSince)) : null,
    ];
  }

  /** The card's line about the last change of hands (with the transfer note). */
  function handoverLine(session) {
    return session.handover && session.handover.text ? el('p', { className: 'session-handover' }, str(session.handover.text)) : null;
  }

  /** Take over and reassign, for a row of the supervisor's table. */
  function supervisorActions(s) {
    if (s.state !== 'queued' && s.state !== 'connected') return [];
    var label = (s.topicTitle ? str(s.topicTitle) : 'conversazione') + ' ' + str(s.phoneCode);
    var take = el('button', { type: 'button', className: 'btn btn-secondary btn-small', 'data-focus-key': 'take-' + s.id }, ['Prendi in carico', el('span', { className: 'visually-hidden' }, ' ' + label)]);
    take.disabled = s.operator === state.me.name;
    take.addEventListener('click', function () { supervisorMove(s.id, 'takeover', null, take); });
    var choices = (state.reassignTo = state.reassignTo || {});
    var select = el('select', { 'aria-label': 'Riassegna ' + label + ' a', 'data-focus-key': 'to-' + s.id, 'data-reassign': s.id });
    select.appendChild(el('option', { value: '' }, 'Riassegna a\u2026'));
    state.operators.forEach(function (o) {
      if (o.name === s.operator) return;
      var free = Math.max(0, (Number(o.maxConcurrent) || 0) - (Number(o.active) || 0));
      select.appendChild(el('option', { value: str(o.name) }, str(o.name) + ' \u2013 ' + (PRESENCE[o.presence] || '') + ', liberi ' + free));
    });
    // A push re-renders the table: the choice in progress survives it.
    select.value = choices[s.id] || '';
    select.addEventListener('change', function () { choices[s.id] = select.value; });
    var force = el('input', { type: 'checkbox', id: 'force-' + s.id, 'data-focus-key': 'force-' + s.id });
    var go = el('button', { type: 'button', className: 'btn btn-secondary btn-small', 'data-focus-key': 'go-' + s.id }, ['Riassegna', el('span', { className: 'visually-hidden' }, ' ' + label)]);
    go.addEventListener('click', function () {
      if (!select.value) {
        notice('Scegli a chi riassegnare la conversazione.', 'error');
        select.focus();
        return;
      }
      supervisorMove(s.id, 'reassign', { to: select.value, force: force.checked }, go);
    });
    return [take, select, el('label', { className: 'hint', for: 'force-' + s.id }, [force, ' oltre il limite']), go];
  }

  function supervisorMove(id, action, body, button) {
    button.disabled = true;
    api('POST', '/conversations/' + encodeURIComponent(id) + '/' + action, body || undefined)
      .then(function (data) {
        if (state.reassignTo) delete state.reassignTo[id];
        if (data.session) upsertSession(data.session);
        renderAll();
        notice(action === 'takeover' ? 'Conversazione presa in carico.' : 'Conversazione riassegnata a ' + str(data.session && data.session.operator) + '.', 'success');
        if (action === 'takeover') openConversation(id);
      })
      .catch(function (error) {
        if (error.status === 401) return;
        notice('Operazione non riuscita: ' + describeError(error), 'error');
        button.disabled = false;
        refreshQueue();
      });
  }

  /** A conversation changed hands: the old holder drops it, the new one is told. */
  function onHandover(data) {
    var id = str(data.sessionId);
    var me = state.me.name;
    var text;
    // The transfer's answer and its push both bring it: once is enough.
    var key = id + '>' + str(data.to);
    if (state.lastHandover === key) return;
    state.lastHandover = key;
    if (data.from === me && data.to !== me) {
      delete state.claimed[id];
      delete state.unread[id];
      delete state.drafts[id];
      if (state.me.role !== 'supervisor') {
        state.sessions = state.sessions.filter(function (s) { return s.id !== id; });
        if (state.selectedId === id) clearConversationView();
      }
      text = data.by === me ? 'Conversazione ' + (HANDOVER[data.kind] || 'spostata') + ' a ' + str(data.to) + '.' : 'La conversazione è stata ' + (HANDOVER[data.kind] || 'spostata') + ' da ' + str(data.by) + ': ora è di ' + str(data.to) + '.';
      renderAll();
    } else if (data.to === me && data.by !== me) {
      text = str(data.by) + (data.kind === 'transfer' ? ' ti ha trasferito una conversazione' : ' ti ha assegnato una conversazione') + (data.note ? ': \u201c' + str(data.note) + '\u201d' : '.');
      refreshQueue();
    }
    if (text) {
      notice(text, 'info');
      announceQueue(text);
    }
  }

  /** The transfer form shows for the holder of a connected conversation, with the available colleagues. */
  function updateTransferForm(session, canWrite) {
    var form = $('transfer-form');
    var show = canWrite && isMine(session);
    if (form.hidden === !show && form.getAttribute('data-session') === session.id) return;
    form.hidden = !show;
    form.setAttribute('data-session', session.id);
    setText('transfer-error', '');
    if (show) loadColleagues();
  }

  function loadColleagues() {
    var select = $('transfer-to');
    return api('GET', '/colleagues')
      .then(function (data) {
        var keep = select.value;
        clear(select);
        var available = (Array.isArray(data.colleagues) ? data.colleagues : []).filter(function (c) { return c.presence === 'available'; });
        if (!available.length) select.appendChild(el('option', { value: '' }, 'Nessun collega disponibile'));
        available.forEach(function (c) {
          var option = el('option', { value: str(c.name) }, str(c.name) + ' \u2013 ' + (c.free > 0 ? 'liberi ' + c.free + ' su ' + c.maxConcurrent : 'nessun posto libero'));
          option.disabled = !(c.free > 0);
          select.appendChild(option);
        });
        if (keep) select.value = keep;
        if (!select.value || (select.selectedOptions[0] && select.selectedOptions[0].disabled)) {
          var first = select.querySelector('option:not([disabled])');
          select.value = first ? first.value : '';
        }
        $('transfer-submit').disabled = !select.value;
      })
      .catch(function (error) {
        if (error.status !== 401) setText('transfer-error', 'Impossibile caricare i colleghi: ' + describeError(error));
      });
  }

  function onTransferSubmit(event) {
    event.preventDefault();
    if (!state.conversation) return;
    var id = state.conversation.session.id;
    var to = $('transfer-to').value;
    if (!to) {
      setText('transfer-error', 'Nessun collega disponibile a cui trasferire.');
      return;
    }
    var note = $('transfer-note').value.trim();
    var button = $('transfer-submit');
    button.disabled = true;
    setText('transfer-error', '');
    api('POST', '/conversations/' + encodeURIComponent(id) + '/transfer', note ? { to: to, note: note } : { to: to })
      .then(function () {
        $('transfer-note').value = '';
        onHandover({ sessionId: id, from: state.me.name, to: to, by: state.me.name, kind: 'transfer' });
        $('conversation-title').focus();
      })
      .catch(function (error) {
        if (error.status === 401) return;
        setText('transfer-error', 'Trasferimento non riuscito: ' + describeError(error));
        loadColleagues();
      })
      .then(function () { button.disabled = false; });
  }

  // ---------------------------------------------------------------- tabs

  var TABS = ['conversations', 'requests', 'callbacks', 'history', 'supervision'];

  function visibleTabs() {
    return TABS.filter(function (name) { return !$('tab-' + name).hidden; });
  }

  function selectTab(name, focus) {
    if ($('tab-' + name).hidden) name = 'conversations';
    state.tab = name;
    TABS.forEach(function (t) {
      var tab = $('tab-' + t);
      var selected = t === name;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $('panel-' + t).hidden = !selected;
    });
    if (focus) $('tab-' + name).focus();
    if (name === 'supervision') renderSupervision();
    emit('tab', name);
  }

  function onTabKeydown(event) {
    var tabs = visibleTabs();
    var index = tabs.indexOf(state.tab);
    var next = null;
    if (event.key === 'ArrowRight') next = tabs[(index + 1) % tabs.length];
    else if (event.key === 'ArrowLeft') next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === 'Home') next = tabs[0];
    else if (event.key === 'End') next = tabs[tabs.length - 1];
    if (next) {
      event.preventDefault();
      selectTab(next, true);
    }
  }

  // ---------------------------------------------------------------- WebSocket

  function connectSocket() {
    stopSocket();
    if (!state.token) return;
    var url = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + API + '/ws?token=' + encodeURIComponent(state.token);
    var socket;
    try {
      socket = new WebSocket(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    state.ws = socket;
    socket.onopen = function () {
      if (state.ws !== socket) return;
      var reconnected = state.wsAttempt > 0 || state.wsEverOpened;
      state.wsAttempt = 0;
      state.wsEverOpened = true;
      setBanner(false);
      if (reconnected) {
        // Pushes may have been missed while the connection was down.
        refreshQueue();
        if (state.selectedId) reloadConversation(state.selectedId);
      }
    };
    socket.onmessage = function (event) {
      if (state.ws !== socket) return;
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      handlePush(data);
    };
    socket.onclose = function (event) {
      if (state.ws !== socket) return;
      state.ws = null;
      // The server ends the socket of an expired token or of a removed or disabled account.
      if (event && event.code === TOKEN_INVALID_CLOSE) {
        logout('La sessione è scaduta: accedi di nuovo.');
        return;
      }
      scheduleReconnect();
    };
    socket.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    if (!state.token) return;
    setBanner(true);
    var delay = BACKOFF_MS[Math.min(state.wsAttempt, BACKOFF_MS.length - 1)];
    // After a failed attempt, an API call tells whether the token itself is still valid.
    if (state.wsAttempt > 0) refreshQueue();
    state.wsAttempt += 1;
    clearTimeout(state.wsTimer);
    state.wsTimer = setTimeout(connectSocket, delay);
  }

  function stopSocket() {
    clearTimeout(state.wsTimer);
    state.wsTimer = null;
    var socket = state.ws;
    state.ws = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try { socket.close(1000, 'logout'); } catch (e) { /* already closed */ }
    }
    if (!state.token) {
      state.wsAttempt = 0;
      state.wsEverOpened = false;
      setBanner(false);
    }
  }

  function reloadConversation(id) {
    var seq = state.conversationSeq;
    api('GET', '/conversations/' + encodeURIComponent(id))
      .then(function (data) {
        if (seq !== state.conversationSeq || state.selectedId !== id) return;
        var draft = $('message-text').value;
        showConversation(data);
        $('message-text').value = draft;
      })
      .catch(function () { /* the queue refresh reports problems */ });
  }

  function handlePush(data) {
    if (!data || typeof data !== 'object' || !state.me) return;
    if (data.type === 'queue') {
      applyQueue(data.sessions, data.operators);
      afterQueue(data);
    } else if (data.type === 'handover' && data.sessionId) {
      onHandover(data);
    } else if (data.type === 'message' && data.entry) {
      onPushedMessage(str(data.sessionId), data.entry);
    } else if (data.type === 'session' && data.session && data.session.id) {
      onPushedSession(data.session);
    } else {
      emit('push', data);
    }
  }

  function onPushedMessage(sessionId, entry) {
    if (state.conversation && state.selectedId === sessionId) {
      var added = addMessage(entry, true);
      if (added && entry.from === 'citizen') {
        refreshSuggestions();
        var seen = document.hasFocus() && !document.hidden;
        if (!seen) state.unseenOpen += 1;
        updateTitle();
        if (isMine(state.conversation.session)) emit('citizen-message', { session: state.conversation.session, entry: entry, open: true, seen: seen });
      }
      return;
    }
    var session = findSession(sessionId);
    if (entry.from === 'citizen' && session && isMine(session)) {
      state.unread[sessionId] = (state.unread[sessionId] || 0) + 1;
      renderMine();
      updateTitle();
      announceQueue('Nuovo messaggio del cittadino in ' + (session.topicTitle ? '\u201c' + session.topicTitle + '\u201d' : 'una tua conversazione') + '.');
      emit('citizen-message', { session: session, entry: entry, open: false, seen: false });
    }
  }

  /** Back on the page: the open conversation's messages are seen. */
  function onFocusBack() {
    if (!state.unseenOpen || document.hidden) return;
    state.unseenOpen = 0;
    updateTitle();
  }

  /** The next of my conversations after the open one (wrapping), for the shortcut. */
  function nextConversation() {
    var mine = mySessions();
    if (!mine.length) return false;
    var index = -1;
    for (var i = 0; i < mine.length; i += 1) if (mine[i].id === state.selectedId) index = i;
    openConversation(mine[(index + 1) % mine.length].id, 'composer');
    return true;
  }

  /** Claims the citizen who has waited longest. */
  function claimNext() {
    var next = queuedSessions()[0];
    if (!next) {
      notice('Nessun cittadino in coda.', 'info');
      return false;
    }
    claimSession(next.id, null);
    return true;
  }

  function focusClose() {
    if (!state.conversation || $('close-outcome').disabled) return false;
    $('close-outcome').focus();
    return true;
  }

  function focusComposer() {
    if (!state.conversation || $('message-text').disabled) return false;
    $('message-text').focus();
    return true;
  }

  // What the other console scripts may use (operator-alerts.js, operator-workspace.js,
  // operator-keys.js, operator-requests.js); events come through `on` or as `dialogo:<name>` on document.
  C.operator = {
    languageLabel: languageLabel,
    announce: announceQueue,
    on: on,
    api: api,
    me: function () { return state.me; },
    conversation: function () { return state.conversation; },
    isMine: isMine,
    cardTitle: cardTitle,
    claimNext: claimNext,
    nextConversation: nextConversation,
    openConversation: openConversation,
    focusClose: focusClose,
    focusComposer: focusComposer,
    insertIntoComposer: insertIntoComposer,
    selectTab: selectTab,
    notice: notice,
    describeError: describeError,
    formatDateTime: formatDateTime,
    channelLabel: channelLabel,
    outcomeLabel: function (outcome) { return OUTCOMES[outcome] || { left: 'Abbandonata', timeout: 'Scaduta', ticket: 'Richiesta scritta' }[outcome] || str(outcome); },
  };

  function onPushedSession(session) {
    var before = findSession(session.id);
    var wasMine = isMine(before) || (state.conversation && state.conversation.session.id === session.id && isMine(state.conversation.session));
    upsertSession(session);
    if (state.conversation && state.conversation.session.id === session.id) updateConversationSession(session);
    if (wasMine) announceEnding(session);
    if (wasMine && session.state === 'abandoned') {
      announceQueue('Il cittadino ha lasciato la conversazione' + (session.topicTitle ? ' \u201c' + session.topicTitle + '\u201d' : '') + '.');
    }
    if (session.state === 'closed' || session.state === 'abandoned') {
      delete state.claimed[session.id];
      delete state.unread[session.id];
    }
    renderAll();
  }

  // ---------------------------------------------------------------- citizen presence and endings

  // How a conversation ended without the operator's close (the server's outcome codes).
  var ENDINGS = {
    'citizen-ended': 'Il cittadino ha chiuso la chat.',
    idle: 'Chiusa per inattività: nessuno ha scritto per troppo tempo. Il cittadino è stato avvisato.',
    away: 'Il cittadino ha lasciato la coda: era assente da troppo tempo.',
    'no-answer': 'Il cittadino non ha risposto alla domanda se voleva ancora attendere: tolto dalla coda.',
  };

  function awayText(since) {
    var minutes = Math.floor(secondsSince(since) / 60);
    return minutes < 1 ? 'assente da meno di 1 min' : 'assente da ' + minutes + ' min';
  }

  /** The "assente da N min" badge of a citizen with no open chat and no sign of life; null when present or unknown. */
  function presenceBadge(session) {
    if (!session || session.citizenPresence !== 'away' || isNaN(Date.parse(session.awaySince))) return null;
    return el('span', { className: 'badge badge-away', 'data-away-since': session.awaySince, title: 'Il cittadino non ha la chat aperta' }, awayText(session.awaySince));
  }

  function tickPresence() {
    var badges = document.querySelectorAll('.badge-away[data-away-since]');
    for (var i = 0; i < badges.length; i += 1) badges[i].textContent = awayText(badges[i].getAttribute('data-away-since'));
  }

  /** A conversation of mine closed by the citizen or for inactivity: said at once, even when it is not the one open. */
  function announceEnding(session) {
    if (session.state !== 'closed' || !ENDINGS[session.outcome]) return;
    var text = (session.topicTitle ? '\u201c' + str(session.topicTitle) + '\u201d: ' : '') + ENDINGS[session.outcome];
    notice(text, 'info');
    announceQueue(text);
  }

  // ---------------------------------------------------------------- start

  function init() {
    $('login-form').addEventListener('submit', onLoginSubmit);
    $('logout').addEventListener('click', onLogoutClick);
    $('phone-form').addEventListener('submit', onPhoneSubmit);
    $('composer').addEventListener('submit', function (event) {
      event.preventDefault();
      sendMessage();
    });
    $('message-text').addEventListener('keydown', onComposerKeydown);
    $('message-text').addEventListener('input', function () {
      if ($('composer-error').textContent) setText('composer-error', '');
      persistView();
    });
    $('close-form').addEventListener('submit', onCloseSubmit);
    $('close-outcome').addEventListener('change', onOutcomeChange);
    window.addEventListener('focus', onFocusBack);
    document.addEventListener('visibilitychange', onFocusBack);
    $('conv-claim').addEventListener('click', function () {
      if (state.conversation) claimSession(state.conversation.session.id, $('conv-claim'));
    });
    $('presence-select').addEventListener('change', onPresenceChange);
    $('transfer-form').addEventListener('submit', onTransferSubmit);
    TABS.forEach(function (name) {
      var tab = $('tab-' + name);
      tab.addEventListener('click', function () { selectTab(name, false); });
      tab.addEventListener('keydown', onTabKeydown);
    });
    setInterval(tick, 1000);

    state.token = loadToken();
    if (!state.token) {
      showLogin('');
      return;
    }
    // A reload keeps the operator logged in while the token is valid.
    $('login-view').hidden = true;
    resumeSession(state.token, 0);
  }

  /**
   * Checks the stored token after a reload. Only a refusal (401) ends the session: a server
   * restarting or a network hiccup keeps the token and tries again, while the login form stays
   * usable in the meantime.
   */
  function resumeSession(token, attempt) {
    api('GET', '/me')
      .then(function (me) {
        if (state.token === token && !state.me) startConsole(me);
      })
      .catch(function (error) {
        if (error.status === 401 || state.token !== token || state.me) return; // api() already went back to the login form, or the operator signed in meanwhile
        var delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
        var message = 'Impossibile verificare la sessione: ' + describeError(error) + ' Nuovo tentativo tra ' + Math.round(delay / 1000) + ' s\u2026';
        // Shown once; later attempts only change the message, so that a password being typed is kept.
        if (attempt === 0) showLogin(message);
        else setText('login-message', message);
        setTimeout(function () {
          if (state.token === token && !state.me) resumeSession(token, attempt + 1);
        }, delay);
      });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
