/*
 * Dialogo – cruscotto dei supervisori del contact centre 020202 (Comune di Milano), canali chat.
 *
 * Vanilla JavaScript, no build step. Same login as the operator console (POST /api/operator/login,
 * bearer token in sessionStorage 'dialogo.operator.token', shared with the console); only
 * supervisors may use it. Figures from GET /api/analytics/summary, CSV from
 * GET /api/analytics/export.csv, FAQ drafts with POST /api/analytics/gaps/draft. The live section
 * (dashboard-live.js) and the monthly table (dashboard-monthly.js) are panels in their own files.
 * Charts with Chart.js (UMD build served at /vendor/chart.umd.js, global `Chart`).
 *
 * SECURITY: every text that comes from the server (topic titles, citizens' questions, names, file
 * names) is rendered with textContent / createTextNode. This file never assigns HTML markup.
 */
(function () {
  'use strict';

  var C = window.DialogoConsole;
  var $ = C.$, el = C.el, append = C.append, clear = C.clear, setText = C.setText, str = C.str, ApiError = C.ApiError;

  var WEEKLY_OVER_DAYS = 120;
  var TOP_TOPICS = 15;
  var MIN_TOPIC_CONVERSATIONS = 5;
  var MIN_TOPIC_SHARE = 0.005;
  var RANKED_TOPICS = 10;
  var MAX_GAPS = 30;
  var EXPIRED = 'La sessione è scaduta: accedi di nuovo.';
  var SUPERVISORS_ONLY = 'Il cruscotto è riservato ai supervisori: accedi con un account da supervisore o usa la console operatori.';

  var CHANNELS = { directline: 'Web', facebook: 'Messenger' };
  var LANGUAGES = { it: 'Italiano', en: 'Inglese' };
  var COLORS = {
    conversations: '#1c3f73',
    resolved: '#1e6b3a',
    escalated: '#c4161c',
    palette: ['#1c3f73', '#c4161c', '#1e6b3a', '#8a5a00', '#5b3c88', '#4d4d4d'],
  };

  // Italian formatting groups thousands only from five digits (7585 but 10.439): in a column of
  // figures that reads unevenly, so every thousand is grouped. A browser without the 'always'
  // option reads it as true, the locale's own grouping.
  var nf = new Intl.NumberFormat('it-IT', { useGrouping: 'always' });
  var pf = new Intl.NumberFormat('it-IT', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: 'always' });
  var cf = new Intl.NumberFormat('it-IT', { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: 'always' });

  var state = {
    token: null,
    me: null,
    loadSeq: 0,
    loaded: null, // { from, to, summary }
    charts: {},
    preset: null,
  };

  // ---------------------------------------------------------------- DOM helpers

  function num(value) {
    return typeof value === 'number' && isFinite(value) ? value : null;
  }

  function list(value) {
    return Array.isArray(value) ? value : [];
  }

  // ---------------------------------------------------------------- formatting

  var DASH = '\u2014';

  function fmtInt(value) {
    var n = num(value);
    return n === null ? DASH : nf.format(Math.round(n));
  }

  function fmtRate(value) {
    var n = num(value);
    return n === null ? DASH : pf.format(n);
  }

  /** Seconds as "45 s", "3 min 05 s", "1 h 02 min". */
  function fmtDuration(value) {
    var n = num(value);
    if (n === null) return DASH;
    var s = Math.max(0, Math.round(n));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + pad(s % 60) + ' s';
    return Math.floor(m / 60) + ' h ' + pad(m % 60) + ' min';
  }

  /** CSAT: a 0..1 share of positive ratings (or, defensively, an average score above 1). */
  function fmtCsat(value) {
    var n = num(value);
    if (n === null) return DASH;
    return n <= 1 ? pf.format(n) : cf.format(n);
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function channelLabel(channel) {
    return CHANNELS[channel] || str(channel) || 'Sconosciuto';
  }

  function languageLabel(language) {
    return LANGUAGES[language] || str(language) || 'Sconosciuta';
  }

  // ---------------------------------------------------------------- dates (local calendar days)

  function isoDate(d) {
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }

  function parseDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(str(text));
    if (!m) return null;
    var d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return isoDate(d) === text ? d : null;
  }

  function today() {
    var now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  }

  function addDays(d, n) {
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
  }

  function daysBetween(a, b) {
    return Math.round((Date.UTC(b.getFullYear(), b.getMonth(), b.getDate()) - Date.UTC(a.getFullYear(), a.getMonth(), a.getDate())) / 86400000);
  }

  function fmtDate(text) {
    var d = parseDate(text);
    return d ? d.toLocaleDateString('it-IT', { day: '2-digit', month: '2-digit', year: 'numeric' }) : str(text);
  }

  function fmtMonth(text) {
    var m = /^(\d{4})-(\d{2})$/.exec(str(text));
    if (!m) return str(text);
    var label = new Date(Number(m[1]), Number(m[2]) - 1, 1).toLocaleDateString('it-IT', { month: 'long', year: 'numeric' });
    return label.charAt(0).toUpperCase() + label.slice(1);
  }

  /**
   * The day still being counted, as the server saw it (Europe/Rome), else this browser's: it and
   * later days are never shown as whole days.
   */
  function currentDay(loaded) {
    var day = loaded && loaded.summary && str(loaded.summary.today);
    return parseDate(day) ? day : isoDate(today());
  }

  function presetRange(preset) {
    var end = today();
    if (preset === '30d') return { from: isoDate(addDays(end, -29)), to: isoDate(end) };
    if (preset === 'ytd') return { from: isoDate(new Date(end.getFullYear(), 0, 1)), to: isoDate(end) };
    // 12m: the twelve full months before this one (a running month would read as a fall).
    return { from: isoDate(new Date(end.getFullYear(), end.getMonth() - 12, 1)), to: isoDate(new Date(end.getFullYear(), end.getMonth(), 0)) };
  }

  // ---------------------------------------------------------------- API

  function request(method, path, body, accept) {
    return C.request(method, path, body, state.token, accept).catch(function (failure) {
      if (failure instanceof ApiError && failure.status === 401 && path !== '/api/operator/login') logout(EXPIRED);
      throw failure;
    });
  }

  function api(method, path, body) {
    return request(method, path, body).then(C.json);
  }

  function describeError(error, known) {
    return C.describeError(error, known, { 401: EXPIRED, 403: 'Operazione riservata ai supervisori.', 404: 'Servizio non disponibile (404).' });
  }

  // ---------------------------------------------------------------- login / logout

  var loadToken = C.loadToken;
  var saveToken = C.saveToken;

  function showLogin(message) {
    $('app-view').hidden = true;
    $('header-tools').hidden = true;
    $('login-view').hidden = false;
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
    var previous = state.token;
    state.token = null; // the login request carries no token
    api('POST', '/api/operator/login', { username: username, password: password })
      .then(function (data) {
        if (!data || !data.token || !data.operator) throw new ApiError(0, 'BAD_RESPONSE', 'Risposta del server non valida.');
        if (data.operator.role !== 'supervisor') {
          // An operator's token is not kept here: the dashboard is for supervisors only.
          state.token = previous;
          showLogin(SUPERVISORS_ONLY);
          return;
        }
        state.token = data.token;
        saveToken(data.token);
        startDashboard(data.operator);
      })
      .catch(function (error) {
        state.token = previous;
        setText('login-message', C.describeLoginError(error, document.documentElement.lang));
        $('login-password').value = '';
        $('login-password').focus();
      })
      .then(function () { button.disabled = false; });
  }

  function logout(message) {
    state.token = null;
    state.me = null;
    state.loaded = null;
    state.loadSeq += 1;
    saveToken(null);
    destroyCharts();
    panels.forEach(function (panel) { if (panel.stop) panel.stop(); });
    showLogin(message);
  }

  function startDashboard(me) {
    state.me = { name: str(me.name), role: 'supervisor' };
    setText('supervisor-name', state.me.name);
    $('login-view').hidden = true;
    $('header-tools').hidden = false;
    $('app-view').hidden = false;
    setText('login-message', '');
    $('login-password').value = '';
    applyPreset('12m');
    panels.forEach(function (panel) { if (panel.start) panel.start(); });
    $('main').focus();
  }

  // ---------------------------------------------------------------- period

  function setPressed(preset) {
    state.preset = preset;
    Array.prototype.forEach.call(document.querySelectorAll('[data-preset]'), function (button) {
      button.setAttribute('aria-pressed', button.getAttribute('data-preset') === preset ? 'true' : 'false');
    });
  }

  function applyPreset(preset) {
    var range = presetRange(preset);
    $('period-from').value = range.from;
    $('period-to').value = range.to;
    setPressed(preset);
    setText('period-error', '');
    load(range.from, range.to);
  }

  /** The period in the inputs, or null (with a message) when it is not valid. */
  function chosenPeriod() {
    var from = $('period-from').value;
    var to = $('period-to').value;
    var a = parseDate(from);
    var b = parseDate(to);
    var message = '';
    if (!a || !b) message = 'Indica la data di inizio e quella di fine del periodo.';
    else if (a > b) message = 'La data di inizio deve precedere quella di fine.';
    else if (daysBetween(a, b) >= 3 * 366) message = 'Il periodo può essere al massimo di tre anni.';
    setText('period-error', message);
    if (message) {
      (!a ? $('period-from') : $('period-to')).focus();
      return null;
    }
    return { from: from, to: to };
  }

  function onPeriodSubmit(event) {
    event.preventDefault();
    var period = chosenPeriod();
    if (!period) return;
    var match = ['30d', '12m', 'ytd'].filter(function (p) {
      var r = presetRange(p);
      return r.from === period.from && r.to === period.to;
    });
    setPressed(match[0] || null);
    load(period.from, period.to);
  }

  function setStatus(text, kind) {
    var box = $('status');
    box.className = 'status' + (kind ? ' status-' + kind : '');
    box.textContent = text || '';
  }

  function load(from, to) {
    state.loadSeq += 1;
    var seq = state.loadSeq;
    setStatus('Caricamento dei dati dal ' + fmtDate(from) + ' al ' + fmtDate(to) + '\u2026', 'loading');
    $('content').setAttribute('aria-busy', 'true');
    $('content').classList.add('is-loading');
    var query = '?from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to);
    api('GET', '/api/analytics/summary' + query)
      .then(function (summary) {
        if (seq !== state.loadSeq) return;
        state.loaded = { from: from, to: to, summary: summary || {} };
        render(state.loaded);
        setStatus('Dati dal ' + fmtDate(from) + ' al ' + fmtDate(to) + ' aggiornati alle ' +
          new Date().toLocaleTimeString('it-IT', { hour: '2-digit', minute: '2-digit' }) + '.', 'ok');
      })
      .catch(function (error) {
        if (seq !== state.loadSeq || (error instanceof ApiError && error.status === 401)) return;
        if (!(error instanceof ApiError) && window.console) window.console.error(error);
        setStatus('Impossibile caricare i dati: ' + describeError(error) + ' Premi «Applica» per riprovare.', 'error');
      })
      .then(function () {
        if (seq !== state.loadSeq) return;
        $('content').setAttribute('aria-busy', 'false');
        $('content').classList.remove('is-loading');
      });
  }

  // ---------------------------------------------------------------- rendering

  function render(loaded) {
    var s = loaded.summary;
    // A period that reaches today holds a day still being counted: the cards say so.
    var running = loaded.to >= currentDay(loaded) ? '; oggi è ancora in corso e le conversazioni aperte non sono contate' : '';
    setText('kpi-period', '(dal ' + fmtDate(loaded.from) + ' al ' + fmtDate(loaded.to) + running + ')');
    renderKpis(s, loaded.to >= currentDay(loaded));
    renderTrend(loaded);
    renderTopics(list(s.byTopic));
    renderGaps(list(s.knowledgeGaps));
    renderSplit('channel', list(s.byChannel), 'channel', channelLabel, 'Ripartizione delle conversazioni per canale');
    renderSplit('language', list(s.byLanguage), 'language', languageLabel, 'Ripartizione delle conversazioni per lingua');
    panels.forEach(function (panel) { if (panel.render) panel.render(loaded); });
  }

  function kpi(key, label, value, details) {
    return el('li', { className: 'kpi', 'data-kpi': key }, [
      el('h3', { className: 'kpi-label', text: label }),
      el('p', { className: 'kpi-value', text: value }),
      details.map(function (line) { return el('p', { className: 'kpi-detail', text: line }); }),
    ]);
  }

  /** Whether the period holds anything measured: a conversation or a handoff step. */
  function hasFigures(s) {
    var handoffs = s.handoffs || {};
    return (num(s.conversations) || 0) > 0 || (num(handoffs.queued) || 0) > 0 || (num(handoffs.tickets) || 0) > 0;
  }

  function renderKpis(s, reachesToday) {
    var handoffs = s.handoffs || {};
    // Nothing measured (a fresh install, a period before it): say so rather than show zeros as figures.
    // Today's open conversations are counted when they end: until then they are in "Adesso" only.
    var empty = !hasFigures(s);
    $('kpis').hidden = empty;
    $('kpis-empty').hidden = !empty;
    setText('kpis-empty', reachesToday
      ? 'Nessuna conversazione conclusa nel periodo: quelle di oggi ancora aperte sono nella sezione «Adesso».'
      : 'Nessuna conversazione nel periodo: non c’è ancora nulla da misurare.');
    var cards = [
      kpi('conversations', 'Conversazioni', fmtInt(s.conversations), [
        'Con almeno una domanda: ' + fmtInt(s.engaged),
        'Senza interazione: ' + fmtInt(s.unengaged),
      ]),
      kpi('resolved', 'Risolte dal bot', fmtInt(s.resolved), [
        'Tasso di deflessione: ' + fmtRate(s.deflectionRate),
        'Confermate: ' + fmtInt(s.resolvedConfirmed) + ' · presunte: ' + fmtInt(s.resolvedAssumed),
      ]),
      // A question of another administration's, answered with who handles it: self-help
      // absorbed it (it counts in the deflection rate) but it is neither an answer nor a miss.
      kpi('referred', 'Indirizzate ad altri enti', fmtInt(s.referred), [
        'Risposte con rinvio ad altri enti: ' + fmtInt(s.referrals),
        'Contano nella deflessione',
      ]),
      // Two definitions that must not be mixed on one card: a conversation's outcome is counted
      // when it ends (on the day it began), a handoff step when it happens. Each card holds one.
      kpi('escalated', 'Passate a operatore', fmtInt(s.escalated), [
        'Tasso di escalation: ' + fmtRate(s.escalationRate),
        'Conversazioni concluse con un operatore',
      ]),
      kpi('handoffs', 'Richieste di operatore', fmtInt(handoffs.queued), [
        'Accolte da operatore: ' + fmtInt(handoffs.answered) + ' · lasciate in coda: ' + fmtInt(handoffs.abandoned),
        'Diventate richiesta scritta: ' + fmtInt(handoffs.tickets),
        'Contate quando avvengono',
      ]),
      kpi('abandoned', 'Abbandonate', fmtInt(s.abandoned), [
        'Uscite dalla coda senza operatore',
        'Non risolte: ' + fmtInt(s.unresolved),
      ]),
      kpi('tickets', 'Richieste scritte', fmtInt(s.tickets), [
        'Tasso di fallback: ' + fmtRate(s.fallbackRate),
      ]),
      kpi('csat', 'CSAT', fmtCsat(s.csat), ['Quota di valutazioni positive sulle risposte']),
      kpi('wait', 'Attesa media', fmtDuration(s.avgQueueWaitSec), [
        '90° percentile: ' + fmtDuration(s.p90QueueWaitSec),
      ]),
      kpi('handle', 'Durata media gestione', fmtDuration(s.avgHandleSec), ['Conversazioni con operatore']),
    ];
    append(clear($('kpis')), cards);
  }

  // --- trend

  function mondayOf(d) {
    var day = (d.getDay() + 6) % 7; // 0 = Monday
    return addDays(d, -day);
  }

  function trendSeries(loaded) {
    var days = list(loaded.summary.byDay).filter(function (d) { return parseDate(d.day); });
    days.sort(function (a, b) { return a.day < b.day ? -1 : a.day > b.day ? 1 : 0; });
    var from = parseDate(loaded.from);
    var to = parseDate(loaded.to);
    var weekly = from && to ? daysBetween(from, to) + 1 > WEEKLY_OVER_DAYS : days.length > WEEKLY_OVER_DAYS;
    var points = [];
    var index = {};
    days.forEach(function (d) {
      var date = parseDate(d.day);
      var key = weekly ? isoDate(mondayOf(date)) : d.day;
      var point = index[key];
      if (!point) {
        point = { key: key, date: parseDate(key), days: 0, last: d.day, conversations: 0, resolved: 0, escalated: 0 };
        index[key] = point;
        points.push(point);
      }
      point.days += 1;
      if (d.day > point.last) point.last = d.day;
      point.conversations += num(d.conversations) || 0;
      point.resolved += num(d.resolved) || 0;
      point.escalated += num(d.escalated) || 0;
    });
    return { weekly: weekly, points: points };
  }

  function renderTrend(loaded) {
    var series = trendSeries(loaded);
    var weekly = series.weekly;
    var points = series.points;
    // A week cut by the period's edges, today (still being counted) and the days after it would
    // draw as a fall: the chart leaves them out, the table says what they hold.
    var current = currentDay(loaded);
    var future = function (p) { return p.key > current; };
    var running = function (p) { return !future(p) && p.last >= current; };
    var partial = function (p) { return (weekly && p.days < 7) || running(p) || future(p); };
    var plotted = function (pick) { return points.map(function (p) { return partial(p) ? null : pick(p); }); };
    var note = function (p) {
      if (future(p)) return ' (' + (weekly ? 'settimana non ancora iniziata' : 'non ancora') + ')';
      if (running(p)) return weekly ? ' (' + p.days + (p.days === 1 ? ' giorno' : ' giorni') + ', in corso)' : ' (oggi, in corso)';
      return weekly && p.days < 7 ? ' (' + p.days + (p.days === 1 ? ' giorno)' : ' giorni)') : '';
    };
    var figure = function (p, value) { return future(p) ? DASH : fmtInt(value); };
    setText('trend-granularity', weekly ? '(per settimana)' : '(per giorno)');
    setText('trend-col-period', weekly ? 'Settimana dal' : 'Giorno');
    setText('trend-caption', (weekly ? 'Andamento settimanale' : 'Andamento giornaliero') + ' dal ' + fmtDate(loaded.from) + ' al ' + fmtDate(loaded.to));
    var rows = points.map(function (p) {
      return el('tr', null, [
        el('th', { scope: 'row', text: fmtDate(p.key) + note(p) }),
        el('td', { className: 'num', text: figure(p, p.conversations) }),
        el('td', { className: 'num', text: figure(p, p.resolved) }),
        el('td', { className: 'num', text: figure(p, p.escalated) }),
      ]);
    });
    append(clear($('trend-body')), rows);

    var total = { conversations: 0, resolved: 0, escalated: 0 };
    var peak = null;
    points.forEach(function (p) {
      total.conversations += p.conversations;
      total.resolved += p.resolved;
      total.escalated += p.escalated;
      if (!partial(p) && (!peak || p.conversations > peak.conversations)) peak = p;
    });
    // No conversation in the period: the message, not a flat line at zero as if measured.
    var empty = total.conversations === 0;
    $('trend-empty').hidden = !empty;
    $('trend-chart').parentNode.hidden = empty;
    document.querySelector('.chart-data').hidden = empty;
    if (empty) {
      if (state.charts.trend) { state.charts.trend.destroy(); delete state.charts.trend; }
      $('trend-chart').setAttribute('aria-label', 'Nessuna conversazione nel periodo.');
      return;
    }
    var summary = 'Grafico a linee, andamento ' + (weekly ? 'settimanale' : 'giornaliero') + ' dal ' + fmtDate(loaded.from) + ' al ' + fmtDate(loaded.to) + ': ' +
      fmtInt(total.conversations) + ' conversazioni, ' + fmtInt(total.resolved) + ' risolte dal bot, ' + fmtInt(total.escalated) + ' passate a operatore.' +
      (peak ? ' Massimo di ' + fmtInt(peak.conversations) + ' conversazioni ' + (weekly ? 'nella settimana dal ' : 'il ') + fmtDate(peak.key) + '.' : '') +
      ' I valori sono nella tabella «Dati del grafico in tabella».';
    $('trend-chart').setAttribute('aria-label', summary);

    var short = weekly ? { day: 'numeric', month: 'short', year: '2-digit' } : { day: 'numeric', month: 'short' };
    drawChart('trend', 'trend-chart', {
      type: 'line',
      data: {
        labels: points.map(function (p) { return p.date.toLocaleDateString('it-IT', short); }),
        datasets: [
          lineDataset('Conversazioni', plotted(function (p) { return p.conversations; }), COLORS.conversations),
          lineDataset('Risolte dal bot', plotted(function (p) { return p.resolved; }), COLORS.resolved),
          lineDataset('Passate a operatore', plotted(function (p) { return p.escalated; }), COLORS.escalated),
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { ticks: { color: '#1a1a1a', maxRotation: 0, autoSkipPadding: 12 }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: '#1a1a1a', precision: 0 }, grid: { color: '#e0e0e0' } },
        },
      },
    });
  }

  function lineDataset(label, data, color) {
    return { label: label, data: data, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: data.length > 60 ? 0 : 2, tension: 0.2 };
  }

  // --- charts

  function chartsAvailable() {
    return typeof window.Chart === 'function';
  }

  function drawChart(name, canvasId, config) {
    var canvas = $(canvasId);
    if (state.charts[name]) {
      state.charts[name].destroy();
      delete state.charts[name];
    }
    if (!chartsAvailable()) {
      canvas.parentNode.classList.add('is-unavailable');
      return;
    }
    config.options = config.options || {};
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    config.options.animation = false;
    config.options.locale = 'it-IT';
    config.options.plugins = config.options.plugins || {};
    config.options.plugins.legend = { position: 'bottom', labels: { color: '#1a1a1a', boxWidth: 14 } };
    try {
      state.charts[name] = new window.Chart(canvas, config);
    } catch (e) {
      canvas.parentNode.classList.add('is-unavailable');
    }
  }

  function destroyCharts() {
    Object.keys(state.charts).forEach(function (name) {
      try { state.charts[name].destroy(); } catch (e) { /* already gone */ }
      delete state.charts[name];
    });
  }

  // --- topics

  function topicTitle(t) {
    return str(t.title) || str(t.topicId) || 'Argomento non riconosciuto';
  }

  function renderTopics(topics) {
    var byVolume = topics.slice().sort(function (a, b) { return (num(b.conversations) || 0) - (num(a.conversations) || 0); }).slice(0, TOP_TOPICS);
    append(clear($('topics-volume-body')), byVolume.map(function (t, i) {
      return el('tr', { 'data-topic': str(t.topicId) }, [
        el('td', { className: 'num', text: i + 1 }),
        el('th', { scope: 'row', className: 'topic', text: topicTitle(t) }),
        el('td', { className: 'num', text: fmtInt(t.conversations) }),
        el('td', { className: 'num', text: fmtInt(t.resolved) }),
        el('td', { className: 'num', text: fmtInt(t.escalated) }),
        el('td', { className: 'num', text: fmtRate(t.deflectionRate) }),
      ]);
    }));
    $('topics-volume-empty').hidden = byVolume.length > 0;

    renderDeflection(topics);
  }

  /** Topics with enough engaged conversations to rank: at least 5, and at least 0.5 % of the period's. */
  function minimumVolume(topics) {
    var engaged = topics.reduce(function (sum, t) { return sum + (num(t.engaged) || 0); }, 0);
    return Math.max(MIN_TOPIC_CONVERSATIONS, Math.ceil(engaged * MIN_TOPIC_SHARE));
  }

  function deflectionRows(ranked, start) {
    return ranked.map(function (t, i) {
      return el('tr', { 'data-topic': str(t.topicId) }, [
        el('td', { className: 'num', text: start + i }),
        el('th', { scope: 'row', className: 'topic', text: topicTitle(t) }),
        el('td', { className: 'num', text: fmtRate(t.deflectionRate) }),
        el('td', { className: 'num', text: fmtInt(t.engaged) }),
        el('td', { className: 'num', text: fmtInt(t.fallbacks) }),
      ]);
    });
  }

  /**
   * Both ends of the ranking by deflection: the best and the worst topics, each topic in one list
   * only; conversations without a recognised topic are not a topic and are left out.
   */
  function renderDeflection(topics) {
    var minimum = minimumVolume(topics);
    var ranked = topics.filter(function (t) {
      return t.topicId && (num(t.engaged) || 0) >= minimum && num(t.deflectionRate) !== null;
    }).sort(function (a, b) {
      return b.deflectionRate - a.deflectionRate || (num(b.engaged) || 0) - (num(a.engaged) || 0);
    });
    var half = Math.min(RANKED_TOPICS, Math.ceil(ranked.length / 2));
    var best = ranked.slice(0, half);
    var worst = ranked.slice(half).reverse().slice(0, RANKED_TOPICS);
    setText('topics-deflection-minimum', fmtInt(minimum));
    append(clear($('topics-best-body')), deflectionRows(best, 1));
    append(clear($('topics-worst-body')), deflectionRows(worst, 1));
    $('topics-deflection-empty').hidden = ranked.length > 0;
    $('topics-deflection-lists').hidden = ranked.length === 0;
  }

  // --- knowledge gaps

  var gapUid = 0;

  function renderGaps(gaps) {
    var shown = gaps.slice().sort(function (a, b) { return (num(b.count) || 0) - (num(a.count) || 0); }).slice(0, MAX_GAPS);
    append(clear($('gaps')), shown.map(renderGap));
    $('gaps-empty').hidden = shown.length > 0;
  }

  function renderGap(gap) {
    gapUid += 1;
    var titleId = 'gap-title-' + gapUid;
    var statusId = 'gap-status-' + gapUid;
    var examples = list(gap.examples).map(str);
    var button = el('button', { type: 'button', className: 'btn btn-secondary btn-small', 'aria-describedby': titleId + ' ' + statusId, text: 'Crea bozza FAQ' });
    var status = el('p', { id: statusId, className: 'gap-status', role: 'status' });
    button.addEventListener('click', function () { createDraft(gap, examples, button, status); });
    return el('li', { className: 'gap', 'data-key': str(gap.key) }, [
      el('h3', { id: titleId, className: 'gap-key', text: str(gap.key) || 'Domanda senza titolo' }),
      el('p', { className: 'gap-meta' }, [
        el('span', { className: 'gap-count', text: fmtInt(gap.count) + (gap.count === 1 ? ' richiesta' : ' richieste') }),
        ' · ',
        el('span', { className: 'gap-language', text: languageLabel(gap.language) }),
      ]),
      examples.length
        ? el('ul', { className: 'gap-examples', 'aria-label': 'Esempi di domande dei cittadini' }, examples.map(function (e) { return el('li', { text: e }); }))
        : el('p', { className: 'empty', text: 'Nessun esempio.' }),
      el('div', { className: 'gap-actions' }, [button, status]),
    ]);
  }

  function createDraft(gap, examples, button, status) {
    button.disabled = true;
    status.className = 'gap-status';
    status.textContent = 'Creazione della bozza\u2026';
    // The API takes 1 to 5 examples of at most 300 characters, and a key of at most 200.
    var key = str(gap.key).trim().slice(0, 200);
    var sent = examples.slice(0, 5).map(function (e) { return e.slice(0, 300); });
    if (!sent.length) sent = [key.slice(0, 300)];
    // With the period shown, the server records the gap's count, period and variants in the draft.
    var body = { key: key, language: str(gap.language), examples: sent };
    if (state.loaded) { body.from = state.loaded.from; body.to = state.loaded.to; }
    api('POST', '/api/analytics/gaps/draft', body)
      .then(function (data) {
        var file = str(data && data.file);
        var content = str(data && data.content);
        status.className = 'gap-status gap-status-ok';
        clear(status);
        append(status, [data && data.created === false ? 'Bozza aggiornata: ' : 'Bozza creata: ', el('code', { className: 'gap-file', text: file || 'file senza nome' })]);
        button.textContent = 'Bozza creata';
        // The same file as a download for the editor (a second click gives the same draft, updated).
        if (content) {
          var link = el('a', { href: URL.createObjectURL(new Blob([content], { type: 'application/yaml' })), download: str(data.fileName) || 'bozza-faq.yaml', text: 'Scarica la bozza' });
          append(status, [' ', link]);
          link.click();
        }
      })
      .catch(function (error) {
        if (error instanceof ApiError && error.status === 401) return;
        status.className = 'gap-status gap-status-error';
        status.textContent = 'Bozza non creata: ' + describeError(error);
        button.disabled = false;
      });
  }

  // --- channels and languages

  function renderSplit(name, rows, field, label, title) {
    var sorted = rows.slice().sort(function (a, b) { return (num(b.conversations) || 0) - (num(a.conversations) || 0); });
    append(clear($(name === 'channel' ? 'channels-body' : 'languages-body')), sorted.map(function (r) {
      return el('tr', null, [
        el('th', { scope: 'row', text: label(r[field]) }),
        el('td', { className: 'num', text: fmtInt(r.conversations) }),
        el('td', { className: 'num', text: fmtInt(r.resolved) }),
        el('td', { className: 'num', text: fmtInt(r.escalated) }),
        el('td', { className: 'num', text: fmtRate(r.deflectionRate) }),
      ]);
    }));
    var total = sorted.reduce(function (sum, r) { return sum + (num(r.conversations) || 0); }, 0);
    // No conversation: the message instead of an empty ring and a table of headings only.
    var empty = total === 0;
    $(name + '-empty').hidden = !empty;
    $(name + '-chart').parentNode.hidden = empty;
    $(name === 'channel' ? 'channels-body' : 'languages-body').closest('.table-wrap').hidden = empty;
    if (empty) {
      if (state.charts[name]) { state.charts[name].destroy(); delete state.charts[name]; }
      $(name + '-chart').setAttribute('aria-label', title + ': nessuna conversazione nel periodo.');
      return;
    }
    var parts = sorted.map(function (r) {
      var share = total ? (num(r.conversations) || 0) / total : null;
      return label(r[field]) + ' ' + fmtInt(r.conversations) + ' (' + fmtRate(share) + ')';
    });
    $(name + '-chart').setAttribute('aria-label', 'Grafico ad anello. ' + title + ': ' + (parts.length ? parts.join(', ') : 'nessun dato') + '. I valori sono anche nella tabella sotto.');
    drawChart(name, name + '-chart', {
      type: 'doughnut',
      data: {
        labels: sorted.map(function (r) { return label(r[field]); }),
        datasets: [{
          label: 'Conversazioni',
          data: sorted.map(function (r) { return num(r.conversations) || 0; }),
          backgroundColor: sorted.map(function (r, i) { return COLORS.palette[i % COLORS.palette.length]; }),
          borderColor: '#fff',
          borderWidth: 2,
        }],
      },
      options: { cutout: '55%' },
    });
  }

  // ---------------------------------------------------------------- CSV export

  /** Downloads a file of the API with this page's token (a link cannot carry the Bearer header). */
  function download(path, name, accept, button) {
    if (button) button.disabled = true;
    setStatus('Esportazione in corso\u2026', 'loading');
    return request('GET', path, undefined, accept)
      .then(function (response) { return response.blob(); })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        var link = el('a', { href: url, download: name, className: 'visually-hidden' });
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
        setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
        setStatus('File ' + name + ' scaricato.', 'ok');
      })
      .catch(function (error) {
        if (error instanceof ApiError && error.status === 401) return;
        setStatus('Esportazione non riuscita: ' + describeError(error), 'error');
      })
      .then(function () { if (button) button.disabled = false; });
  }

  function exportCsv() {
    var period = chosenPeriod();
    if (!period) return;
    download('/api/analytics/export.csv?from=' + encodeURIComponent(period.from) + '&to=' + encodeURIComponent(period.to), 'dialogo-' + period.from + '-' + period.to + '.csv', 'text/csv', $('export-csv'));
  }

  // ---------------------------------------------------------------- start

  function init() {
    $('login-form').addEventListener('submit', onLoginSubmit);
    $('logout').addEventListener('click', function () {
      // The server voids this session's token too, so that a copy of it opens nothing.
      if (state.token) C.request('POST', '/api/operator/logout', undefined, state.token).catch(function () { /* the token expires anyway */ });
      logout('Sei uscito dal cruscotto.');
    });
    $('period-form').addEventListener('submit', onPeriodSubmit);
    $('export-csv').addEventListener('click', exportCsv);
    Array.prototype.forEach.call(document.querySelectorAll('[data-preset]'), function (button) {
      button.addEventListener('click', function () { applyPreset(button.getAttribute('data-preset')); });
    });
    ['period-from', 'period-to'].forEach(function (id) {
      $(id).addEventListener('input', function () { setPressed(null); });
    });

    state.token = loadToken();
    if (!state.token) {
      showLogin('');
      return;
    }
    // A token from this dashboard or from the operator console: the dashboard opens for supervisors.
    api('GET', '/api/operator/me')
      .then(function (me) {
        if (me && me.role === 'supervisor') startDashboard(me);
        else showLogin(SUPERVISORS_ONLY);
      })
      .catch(function (error) {
        if (error instanceof ApiError && error.status === 401) return; // already back at the login form
        showLogin('Impossibile verificare la sessione: ' + describeError(error));
      });
  }

  // Panels in their own files (loaded after this one) register here: `start()` when a supervisor
  // is signed in, `render(loaded)` with each period's summary, `stop()` at sign-out. They call the
  // API with this page's token through `api`.
  var panels = [];
  window.DialogoDashboard = {
    api: api,
    describeError: describeError,
    download: download,
    loaded: function () { return state.loaded; },
    /** The day still being counted (Europe/Rome, from the last summary): `YYYY-MM-DD`. */
    currentDay: function () { return currentDay(state.loaded); },
    register: function (panel) { panels.push(panel); },
    format: { int: fmtInt, rate: fmtRate, duration: fmtDuration, date: fmtDate, month: fmtMonth, isoDate: isoDate, decimal: function (n) { return cf.format(n); } },
    drawChart: drawChart,
    colors: COLORS,
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
