/*
 * Dialogo – cruscotto: the monthly 020202 table (a panel of dashboard.js, see window.DialogoDashboard).
 *
 * Every engaged conversation is in one column (bot, operator, abandoned, written request, not
 * resolved), which add up to "Entrate"; the period's total and the year to date close the table.
 * Under each figure, the change on the same days of the previous year, counting only the days
 * both years have: a month whose base is partial says so. Exports: the table itself as CSV for
 * Excel (GET /api/analytics/monthly.csv), as XLSX (monthly.xlsx), and printed (print CSS).
 *
 * SECURITY: text only (textContent); this file never assigns HTML markup.
 */
(function () {
  'use strict';

  var D = window.DialogoDashboard;
  var C = window.DialogoConsole;
  var $ = C.$, el = C.el, append = C.append, clear = C.clear, setText = C.setText, str = C.str;
  var DASH = '\u2014';

  function num(value) {
    return typeof value === 'number' && isFinite(value) ? value : null;
  }

  var FIELDS = [
    ['in', D.format.int], ['answeredByBot', D.format.int], ['referred', D.format.int], ['answeredByOperator', D.format.int],
    ['abandoned', D.format.int], ['diverted', D.format.int], ['unresolved', D.format.int], ['queuedToOperator', D.format.int],
    ['avgWaitSec', D.format.duration], ['avgHandleSec', D.format.duration],
  ];

  function changeCell(value, change) {
    var c = num(change);
    var figure, spoken, kind;
    var pct = function (n) { return D.format.decimal(n) + '%'; };
    if (c === null) {
      figure = DASH;
      spoken = 'variazione sull’anno precedente non disponibile';
      kind = 'none';
    } else if (c > 0) {
      figure = '\u25B2 ' + pct(c);
      spoken = 'aumento del ' + pct(c) + ' sull’anno precedente';
      kind = 'up';
    } else if (c < 0) {
      figure = '\u25BC ' + pct(-c);
      spoken = 'diminuzione del ' + pct(-c) + ' sull’anno precedente';
      kind = 'down';
    } else {
      figure = '= ' + pct(0);
      spoken = 'invariato rispetto all’anno precedente';
      kind = 'same';
    }
    return el('td', { className: 'num' }, [
      el('span', { className: 'figure', text: value }),
      el('span', { className: 'change change-' + kind, 'data-change': kind }, [
        el('span', { 'aria-hidden': 'true', className: 'change-visual', text: figure }),
        el('span', { className: 'visually-hidden', text: ', ' + spoken }),
      ]),
    ]);
  }

  /** "base parziale: 12 giorni su 31" when only part of the row's days have a base a year earlier. */
  function baseNote(row) {
    var compared = num(row.comparedDays) || 0;
    if (!row.partialBase || compared === 0) return null;
    return el('span', { className: 'partial-base', text: 'base parziale: ' + D.format.int(compared) + (compared === 1 ? ' giorno' : ' giorni') + ' su ' + D.format.int(row.daysWithData) });
  }

  function lastOfMonth(day) {
    var m = /^(\d{4})-(\d{2})-\d{2}$/.exec(str(day));
    return m ? m[1] + '-' + m[2] + '-' + String(new Date(Number(m[1]), Number(m[2]), 0).getDate()) : '';
  }

  /**
   * "dal 07/11/2026 al 30/11/2026" under a month the period cuts, and "in corso" under the month
   * that holds today: a part of a month never reads as a whole one.
   */
  function monthNote(row) {
    var from = str(row.from), to = str(row.to);
    if (!from || !to) return null;
    var today = D.currentDay();
    var running = from <= today && today <= to;
    var whole = /-01$/.test(from) && to === lastOfMonth(to);
    if (whole && !running) return null;
    return el('span', { className: 'partial-month', text: (whole ? 'mese ' : 'dal ' + D.format.date(from) + ' al ' + D.format.date(to)) + (running ? (whole ? 'in corso' : ', in corso') : '') });
  }

  function tableRow(label, row, attrs, note) {
    var change = row.change || {};
    return el('tr', attrs, [
      el('th', { scope: 'row' }, [el('span', { className: 'row-label', text: label }), note || null, baseNote(row)]),
      FIELDS.map(function (f) { return changeCell(f[1](row[f[0]]), change[f[0]]); }),
    ]);
  }

  function render(loaded) {
    var s = loaded.summary || {};
    var months = Array.isArray(s.monthly) ? s.monthly : [];
    // Months without a conversation in the period are not rows of zeros: the table says there is
    // nothing yet, and keeps the year to date when that has figures.
    var measured = function (row) { return !!row && (num(row.daysWithData) || 0) > 0; };
    var anyMonth = months.some(measured);
    var anyYear = measured(s.yearToDate);
    if (!anyMonth) months = [];
    append(clear($('monthly-body')), months.map(function (m) {
      return tableRow(D.format.month(m.month), m, { 'data-month': str(m.month), 'data-partial': m.partialBase && m.comparedDays > 0 ? 'true' : 'false' }, monthNote(m));
    }));
    var foot = [];
    if (s.monthlyTotal && anyMonth) foot.push(tableRow('Totale del periodo', s.monthlyTotal, { 'data-row': 'total' }));
    if (s.yearToDate) foot.push(tableRow('Da inizio anno (dal ' + D.format.date(s.yearToDate.from) + ')', s.yearToDate, { 'data-row': 'year-to-date' }));
    append(clear($('monthly-foot')), anyMonth || anyYear ? foot : []);
    $('monthly-empty').hidden = anyMonth;
    $('monthly-table').closest('.table-wrap').hidden = !anyMonth && !anyYear;
    setText('monthly-period', 'dal ' + D.format.date(loaded.from) + ' al ' + D.format.date(loaded.to));
    ['monthly-csv', 'monthly-xlsx', 'monthly-print'].forEach(function (id) { $(id).disabled = months.length === 0; });
  }

  function exportTable(extension, accept, button) {
    var loaded = D.loaded();
    if (!loaded) return;
    var query = '?from=' + encodeURIComponent(loaded.from) + '&to=' + encodeURIComponent(loaded.to);
    D.download('/api/analytics/monthly.' + extension + query, 'dialogo-riepilogo-mensile-' + loaded.from + '-' + loaded.to + '.' + extension, accept, button);
  }

  /** Prints the table alone, headed by the period and the day it was printed (see the print CSS). */
  function printTable() {
    var loaded = D.loaded();
    if (!loaded) return;
    setText('monthly-print-heading', 'Riepilogo mensile dei canali chat dal ' + D.format.date(loaded.from) + ' al ' + D.format.date(loaded.to) +
      ' \u2013 stampato il ' + new Date().toLocaleDateString('it-IT', { day: '2-digit', month: '2-digit', year: 'numeric' }));
    document.body.classList.add('print-monthly');
    window.print();
  }

  window.addEventListener('afterprint', function () { document.body.classList.remove('print-monthly'); });
  $('monthly-csv').addEventListener('click', function () { exportTable('csv', 'text/csv', $('monthly-csv')); });
  $('monthly-xlsx').addEventListener('click', function () {
    exportTable('xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', $('monthly-xlsx'));
  });
  $('monthly-print').addEventListener('click', printTable);

  D.register({ render: render });
})();
