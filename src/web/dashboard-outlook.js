/*
 * Dialogo – cruscotto: la vista «Prossime 6 settimane» (docs/staffing.md).
 *
 * A panel of the dashboard (registered through window.DialogoDashboard): expected contacts by
 * topic with their prediction interval (GET /api/analytics/forecast), the city's communications on
 * a timeline, operators needed per hour against the supervisor's staffing plan
 * (GET /api/analytics/staffing), and the plan's form (PUT /api/analytics/staffing-plan).
 *
 * SECURITY: every text that comes from the server is rendered with textContent; no markup is assigned.
 * Status is never shown by colour alone: each cell carries a mark (▼ ✓ ▲ ?) and its words for screen readers.
 */
(function () {
  'use strict';

  var D = window.DialogoDashboard;
  var C = window.DialogoConsole;
  if (!D || !C) return;
  var $ = C.$, el = C.el, append = C.append, clear = C.clear, setText = C.setText, str = C.str;

  var WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  var WEEKDAY_NAMES = { mon: 'Lunedì', tue: 'Martedì', wed: 'Mercoledì', thu: 'Giovedì', fri: 'Venerdì', sat: 'Sabato', sun: 'Domenica' };
  var SHORT_DAYS = ['dom', 'lun', 'mar', 'mer', 'gio', 'ven', 'sab'];
  var MAX_OPERATORS = 500;
  var STATUS = {
    under: { label: 'Sotto organico', mark: '\u25BC' },
    well: { label: 'Adeguato', mark: '\u2713' },
    over: { label: 'Sovradimensionato', mark: '\u25B2' },
    'no-plan': { label: 'Nessun piano', mark: '?' },
  };
  var KINDS = {
    'tax-letters': 'Invio di lettere (tributi)',
    'payment-deadline': 'Scadenza di pagamento',
    'enrolment-opens': 'Apertura iscrizioni',
    'enrolment-closes': 'Chiusura iscrizioni',
    'rule-change': 'Cambio di regole',
    'office-closure': 'Chiusura degli uffici',
    strike: 'Sciopero',
    campaign: 'Campagna informativa',
  };
  var UPLIFT_SOURCES = { planner: 'indicato dal pianificatore', learned: 'appreso dalle occorrenze passate', none: 'non stimato' };
  var TOTAL = '__total__';

  var state = { seq: 0, forecast: null, staffing: null, titles: {}, plan: null };

  function num(value) {
    return typeof value === 'number' && isFinite(value) ? value : null;
  }
  function list(value) {
    return Array.isArray(value) ? value : [];
  }
  function dayOf(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(str(text));
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  }
  function shortDay(text) {
    var d = dayOf(text);
    return d ? SHORT_DAYS[d.getUTCDay()] + ' ' + ('0' + d.getUTCDate()).slice(-2) + '/' + ('0' + (d.getUTCMonth() + 1)).slice(-2) : str(text);
  }
  /** A forecast of a store with no conversation yet: no series, only zeros. */
  function withoutHistory(forecast) {
    return !!forecast && list(forecast.byTopic).length === 0 && list(forecast.total).every(function (p) { return !(num(p.mean) > 0); });
  }
  function topicTitle(id) {
    return state.titles[id] || str(id);
  }
  function setStatus(id, text, kind) {
    var node = $(id);
    node.textContent = text || '';
    node.className = 'status' + (kind ? ' status-' + kind : '');
  }

  // ---------------------------------------------------------------- loading

  function start() {
    load();
  }

  function stop() {
    state.seq += 1;
    state.forecast = null;
    state.staffing = null;
    state.plan = null;
  }

  /** Each period's summary brings the topics' titles, which the forecast does not carry. */
  function render(loaded) {
    list(loaded && loaded.summary && loaded.summary.byTopic).forEach(function (t) {
      if (t && t.topicId && t.title) state.titles[str(t.topicId)] = str(t.title);
    });
    if (state.forecast) {
      renderTopicOptions();
      renderContacts();
      renderTimeline();
    }
  }

  function load() {
    var seq = ++state.seq;
    setStatus('outlook-status', 'Caricamento delle previsioni\u2026', 'loading');
    Promise.allSettled([D.api('GET', '/api/analytics/forecast'), D.api('GET', '/api/analytics/staffing')]).then(function (results) {
      if (seq !== state.seq) return;
      var problems = [];
      if (results[0].status === 'fulfilled' && results[0].value) {
        state.forecast = results[0].value;
        renderTopicOptions();
        renderContacts();
        renderTimeline();
      } else {
        problems.push('previsione non disponibile (' + D.describeError(results[0].reason, { FORECAST_UNAVAILABLE: 'non ancora calcolata' }) + ')');
      }
      if (results[1].status === 'fulfilled' && results[1].value) {
        showStaffing(results[1].value);
      } else {
        problems.push('fabbisogno di operatori non disponibile (' + D.describeError(results[1].reason, { FORECAST_UNAVAILABLE: 'la previsione non è ancora calcolata' }) + ')');
        if (!state.plan) setPlan(null);
      }
      setStatus('outlook-status', problems.length ? 'Dati incompleti: ' + problems.join('; ') + '.' : '', problems.length ? 'error' : null);
    });
  }

  function showStaffing(staffing) {
    state.staffing = staffing;
    renderModel();
    renderWeeks();
    renderGrid();
    setPlan(staffing.plan || null);
  }

  // ---------------------------------------------------------------- contacts by topic

  function renderTopicOptions() {
    var select = $('outlook-topic');
    var chosen = select.value || TOTAL;
    clear(select);
    append(select, el('option', { value: TOTAL, text: 'Tutti gli argomenti' }));
    list(state.forecast.byTopic)
      .map(function (t) { return str(t.topicId); })
      .sort(function (a, b) { return topicTitle(a).localeCompare(topicTitle(b), 'it'); })
      .forEach(function (id) { append(select, el('option', { value: id, text: topicTitle(id) })); });
    select.value = chosen;
    if (select.value !== chosen) select.value = TOTAL;
    var f = state.forecast;
    setText('outlook-period', 'dal ' + D.format.date(f.from) + ' al ' + D.format.date(f.to));
  }

  function selectedPoints() {
    var id = $('outlook-topic').value;
    if (id === TOTAL || !id) return list(state.forecast.total);
    var found = list(state.forecast.byTopic).filter(function (t) { return str(t.topicId) === id; })[0];
    return found ? list(found.points) : [];
  }

  function renderContacts() {
    // Nothing to forecast from (a fresh install): the message, not six weeks of zeros drawn as expected.
    var empty = withoutHistory(state.forecast);
    $('outlook-contacts-empty').hidden = !empty;
    $('outlook-chart').parentNode.hidden = empty;
    document.querySelector('.outlook-data').hidden = empty;
    if (empty) {
      $('outlook-chart').setAttribute('aria-label', 'Nessuna previsione: non ci sono ancora conversazioni da cui stimarla.');
      return;
    }
    var points = selectedPoints();
    var name = $('outlook-topic').value === TOTAL ? 'tutti gli argomenti' : topicTitle($('outlook-topic').value);
    var body = clear($('outlook-contacts-body'));
    points.forEach(function (p) {
      append(body, el('tr', null, [
        el('th', { scope: 'row', text: shortDay(p.day) }),
        el('td', { className: 'num', text: D.format.int(p.mean) }),
        el('td', { className: 'num', text: D.format.int(p.lower) }),
        el('td', { className: 'num', text: D.format.int(p.upper) }),
      ]));
    });
    var total = points.reduce(function (sum, p) { return sum + (num(p.mean) || 0); }, 0);
    $('outlook-chart').setAttribute('aria-label', 'Contatti attesi al giorno per ' + name + ': ' + D.format.int(total) + ' in ' + points.length + ' giorni, con l’intervallo di previsione. I valori sono nella tabella che segue.');
    var interval = num(state.forecast.interval);
    D.drawChart('outlook', 'outlook-chart', {
      type: 'line',
      data: {
        labels: points.map(function (p) { return shortDay(p.day); }),
        datasets: [
          { label: 'Massimo atteso' + (interval ? ' (' + D.format.rate(interval) + ')' : ''), data: points.map(function (p) { return num(p.upper); }), borderWidth: 0, pointRadius: 0, fill: '+1', backgroundColor: 'rgba(28, 63, 115, 0.18)' },
          { label: 'Minimo atteso', data: points.map(function (p) { return num(p.lower); }), borderWidth: 0, pointRadius: 0, fill: false, backgroundColor: 'rgba(28, 63, 115, 0.18)' },
          { label: 'Contatti attesi', data: points.map(function (p) { return num(p.mean); }), borderColor: D.colors.conversations, backgroundColor: D.colors.conversations, borderWidth: 2, pointRadius: 0, fill: false },
        ],
      },
      options: { interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  // ---------------------------------------------------------------- communications

  function renderTimeline() {
    var f = state.forecast;
    var from = dayOf(f.from);
    var to = dayOf(f.to);
    var span = from && to ? Math.max(1, (to - from) / 86400000 + 1) : 1;
    var items = list(f.communications).slice().sort(function (a, b) { return str(a.effective).localeCompare(str(b.effective)); });
    var ol = clear($('outlook-timeline'));
    $('outlook-timeline-empty').hidden = items.length > 0;
    items.forEach(function (c) {
      var start = dayOf(c.published) || dayOf(c.effective);
      var end = dayOf(c.until) || dayOf(c.effective) || start;
      var bar = el('span', { className: 'timeline-bar', 'aria-hidden': 'true' });
      if (from && start && end) {
        var left = Math.max(0, Math.min(1, (start - from) / 86400000 / span));
        var right = Math.max(0, Math.min(1, ((end - from) / 86400000 + 1) / span));
        // CSSOM, not a style attribute: the page's Content-Security-Policy forbids inline styles.
        bar.style.left = (left * 100).toFixed(2) + '%';
        bar.style.width = (Math.max(right - left, 1 / span) * 100).toFixed(2) + '%';
      }
      var uplift = num(c.uplift);
      var dates = 'pubblicata ' + D.format.date(c.published) + ', effettiva ' + D.format.date(c.effective) + (c.until ? ', fino al ' + D.format.date(c.until) : '');
      append(ol, el('li', { className: 'timeline-item' }, [
        el('p', { className: 'timeline-title' }, [el('strong', { text: KINDS[c.kind] || str(c.kind) }), ' \u2013 ', list(c.topics).map(topicTitle).join(', ')]),
        el('p', { className: 'timeline-meta', text: dates + (uplift !== null ? '; effetto previsto ' + (uplift >= 0 ? '+' : '') + D.format.rate(uplift) + ' (' + (UPLIFT_SOURCES[c.upliftSource] || str(c.upliftSource)) + ')' : '') }),
        el('span', { className: 'timeline-track' }, bar),
      ]));
    });
  }

  // ---------------------------------------------------------------- operators needed

  function renderModel() {
    var s = state.staffing;
    var q = s.queue || {};
    var parts = [
      s.model === 'erlang-a' ? 'Modello Erlang A: pazienza media dei cittadini ' + D.format.duration(q.patienceSec) + ' (da ' + D.format.int(q.abandoned) + ' abbandoni)' : 'Modello Erlang C: troppo pochi abbandoni per stimare la pazienza, si assume che nessuno lasci la coda',
      'durata media di una conversazione ' + D.format.duration(q.handleSec) + (q.handleSource === 'measured' ? ' (misurata sugli ultimi ' + D.format.int(s.measuredDays) + ' giorni)' : ' (valore predefinito: nessuna conversazione misurata)'),
      D.format.int(s.chatsPerOperator) + ' chat per operatore',
      'obiettivo ' + D.format.rate(s.target && s.target.share) + ' entro ' + D.format.int(s.target && s.target.withinSec) + ' s',
      'assenze e pause ' + D.format.rate(s.shrinkage),
    ];
    setText('outlook-model', parts.join(' \u00B7 ') + '.');
  }

  function days() {
    var seen = [];
    list(state.staffing && state.staffing.hours).forEach(function (h) { if (seen.indexOf(h.day) < 0) seen.push(h.day); });
    return seen.sort();
  }

  /**
   * The forecast's days in weeks from Monday to Sunday, as the plan's weekly template is: the
   * first and last weeks may hold fewer days (a forecast starting on a Sunday begins with it alone).
   */
  function weeks() {
    var out = [];
    days().forEach(function (day) {
      var date = new Date(day + 'T00:00:00Z');
      var last = out[out.length - 1];
      if (!last || date.getUTCDay() === 1) out.push([day]);
      else last.push(day);
    });
    return out;
  }

  function renderWeeks() {
    var select = $('outlook-week');
    var chosen = select.value;
    clear(select);
    weeks().forEach(function (week, i) {
      append(select, el('option', { value: String(i), text: 'Dal ' + D.format.date(week[0]) + ' al ' + D.format.date(week[week.length - 1]) }));
    });
    if (chosen && select.querySelector('option[value="' + chosen + '"]')) select.value = chosen;
  }

  function renderGrid() {
    var hours = list(state.staffing.hours);
    var week = weeks()[Number($('outlook-week').value || 0)] || [];
    var byKey = {};
    var used = {};
    hours.forEach(function (h) {
      byKey[h.day + ' ' + h.hour] = h;
      if (h.operatorsNeeded > 0 || (h.planned || 0) > 0) used[h.hour] = true;
    });
    var columns = Object.keys(used).map(Number).sort(function (a, b) { return a - b; });
    var head = clear($('outlook-staff-head'));
    append(head, el('tr', null, [el('th', { scope: 'col', text: 'Giorno' })].concat(columns.map(function (hour) {
      return el('th', { scope: 'col', className: 'num', text: hour + '\u2013' + (hour + 1) });
    }))));
    var body = clear($('outlook-staff-body'));
    if (columns.length === 0) {
      append(body, el('tr', null, el('td', { text: withoutHistory(state.forecast) ? 'Nessuna previsione del fabbisogno: non ci sono ancora conversazioni da cui stimarla.' : 'Nessun contatto atteso in queste settimane.' })));
      return;
    }
    week.forEach(function (day) {
      append(body, el('tr', null, [el('th', { scope: 'row', text: shortDay(day) })].concat(columns.map(function (hour) {
        var h = byKey[day + ' ' + hour];
        if (!h) return el('td', { className: 'num', text: '\u2014' });
        // 020202 closed (a Sunday, a holiday): requests for a person become written requests, nobody is needed.
        if (h.closed && !((h.planned || 0) > 0)) {
          return el('td', { className: 'num staff-closed', title: shortDay(day) + ', ore ' + hour + ': 020202 chiuso, nessun operatore necessario (' + D.format.int(h.handoffs) + ' richieste di un operatore attese diventano richieste scritte).', text: 'chiuso' });
        }
        var status = STATUS[h.status] || STATUS['no-plan'];
        var planned = h.planned === null || h.planned === undefined ? '\u2014' : D.format.int(h.planned);
        var detail = shortDay(day) + ', ore ' + hour + ': ' + D.format.int(h.handoffs) + ' passaggi a operatore attesi (fino a ' + D.format.int(h.handoffsUpper) + '), ' + D.format.int(h.operatorsNeeded) + ' operatori necessari (' + D.format.int(h.operatorsNeededUpper) + ' nel caso peggiore), ' + planned + ' nel piano' + (num(h.plannedServiceLevel) !== null ? ', livello di servizio con il piano ' + D.format.rate(h.plannedServiceLevel) : '') + '. ' + status.label + '.';
        return el('td', { className: 'num staff-cell staff-' + h.status, title: detail }, [
          el('span', { className: 'staff-mark', 'aria-hidden': 'true', text: status.mark }),
          ' ' + D.format.int(h.operatorsNeeded) + '/' + planned,
          el('span', { className: 'visually-hidden', text: ' ' + status.label }),
        ]);
      }))));
    });
  }

  // ---------------------------------------------------------------- the plan form

  function emptyRow() {
    var row = [];
    for (var h = 0; h < 24; h++) row.push(0);
    return row;
  }

  function setPlan(plan) {
    var weekly = {};
    WEEKDAYS.forEach(function (d) { weekly[d] = plan && plan.weekly && Array.isArray(plan.weekly[d]) ? plan.weekly[d].slice(0, 24) : emptyRow(); });
    var dates = {};
    Object.keys((plan && plan.dates) || {}).sort().forEach(function (d) { dates[d] = plan.dates[d].slice(0, 24); });
    state.plan = { weekly: weekly, dates: dates };
    renderPlan();
    setStatus('plan-message', plan ? 'Piano salvato da ' + str(plan.updatedBy) + ' il ' + new Date(plan.updatedAt).toLocaleString('it-IT') + '.' : 'Nessun piano salvato: inserisci gli operatori in turno per ora.', null);
  }

  function planRow(key, label, values, removable) {
    var cells = [el('th', { scope: 'row' }, [label, removable ? el('button', { type: 'button', className: 'btn btn-secondary btn-small plan-remove', 'data-date': key, 'aria-label': 'Rimuovi il piano del ' + label, text: 'Rimuovi' }) : null])];
    for (var h = 0; h < 24; h++) {
      cells.push(el('td', null, el('input', {
        type: 'number', min: '0', max: String(MAX_OPERATORS), step: '1', inputmode: 'numeric', className: 'plan-input',
        'data-key': key, 'data-hour': String(h), value: String(values[h] || 0), 'aria-label': label + ', ore ' + h + '\u2013' + (h + 1),
      })));
    }
    return el('tr', null, cells);
  }

  function renderPlan() {
    var head = clear($('plan-head'));
    var cols = [el('th', { scope: 'col', text: 'Giorno' })];
    for (var h = 0; h < 24; h++) cols.push(el('th', { scope: 'col', className: 'num', text: String(h) }));
    append(head, el('tr', null, cols));
    var body = clear($('plan-body'));
    WEEKDAYS.forEach(function (d) { append(body, planRow(d, WEEKDAY_NAMES[d], state.plan.weekly[d], false)); });
    Object.keys(state.plan.dates).sort().forEach(function (d) { append(body, planRow(d, D.format.date(d), state.plan.dates[d], true)); });
  }

  /** Reads the inputs back into the plan; returns the first bad input, or null. */
  function readPlan() {
    var bad = null;
    Array.prototype.forEach.call(document.querySelectorAll('#plan-body .plan-input'), function (input) {
      var text = input.value.trim();
      var value = text === '' ? 0 : Number(text);
      var ok = Number.isInteger(value) && value >= 0 && value <= MAX_OPERATORS;
      input.setAttribute('aria-invalid', ok ? 'false' : 'true');
      if (!ok) { if (!bad) bad = input; return; }
      var key = input.getAttribute('data-key');
      var row = state.plan.weekly[key] || state.plan.dates[key];
      if (row) row[Number(input.getAttribute('data-hour'))] = value;
    });
    return bad;
  }

  function onSave(event) {
    event.preventDefault();
    var bad = readPlan();
    if (bad) {
      setStatus('plan-message', 'Valore non valido in «' + bad.getAttribute('aria-label') + '»: inserisci un numero intero da 0 a ' + MAX_OPERATORS + '.', 'error');
      bad.focus();
      return;
    }
    var button = $('plan-save');
    button.disabled = true;
    setStatus('plan-message', 'Salvataggio\u2026', 'loading');
    D.api('PUT', '/api/analytics/staffing-plan', { weekly: state.plan.weekly, dates: state.plan.dates })
      .then(function () {
        setStatus('plan-message', 'Piano salvato.', 'ok');
        return D.api('GET', '/api/analytics/staffing').then(function (staffing) {
          state.staffing = staffing;
          renderGrid();
        });
      })
      .catch(function (error) {
        var details = error && Array.isArray(error.details) && error.details.length ? ' (' + error.details.join('; ') + ')' : '';
        setStatus('plan-message', 'Piano non salvato: ' + D.describeError(error) + details, 'error');
      })
      .then(function () { button.disabled = false; });
  }

  function onAddDate() {
    var input = $('plan-date');
    var day = input.value;
    if (!dayOf(day)) {
      setStatus('plan-message', 'Scegli una data da aggiungere.', 'error');
      input.focus();
      return;
    }
    readPlan();
    if (!state.plan.dates[day]) {
      var d = dayOf(day);
      state.plan.dates[day] = state.plan.weekly[WEEKDAYS[(d.getUTCDay() + 6) % 7]].slice();
    }
    renderPlan();
    var first = document.querySelector('#plan-body .plan-input[data-key="' + day + '"]');
    if (first) first.focus();
    setStatus('plan-message', 'Data ' + D.format.date(day) + ' aggiunta con il piano del suo giorno della settimana: modificala e salva.', null);
  }

  function onPlanClick(event) {
    var target = event.target;
    if (!target || !target.classList || !target.classList.contains('plan-remove')) return;
    readPlan();
    var day = target.getAttribute('data-date');
    delete state.plan.dates[day];
    renderPlan();
    $('plan-date').focus();
    setStatus('plan-message', 'Data ' + D.format.date(day) + ' rimossa: salva per confermare.', null);
  }

  function init() {
    $('outlook-topic').addEventListener('change', function () { if (state.forecast) renderContacts(); });
    $('outlook-week').addEventListener('change', function () { if (state.staffing) renderGrid(); });
    $('plan-form').addEventListener('submit', onSave);
    $('plan-add-date').addEventListener('click', onAddDate);
    $('plan-body').addEventListener('click', onPlanClick);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
  D.register({ start: start, render: render, stop: stop });
})();
