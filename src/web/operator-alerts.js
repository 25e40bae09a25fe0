/*
 * Dialogo – console operatori: avvisi. A new citizen in the queue and a citizen's message in a
 * conversation I hold make a short tone (Web Audio, generated: no file), a desktop notification
 * (only while the page is not in front: in front, the tone and the title do) and count in the tab
 * title (operator.js). No alert for my own actions, none for a message in the conversation I am
 * reading on a focused page. Permission for notifications is asked only from the "Attiva
 * notifiche" button, never on load; the sound setting is kept in localStorage.
 */
(function () {
  'use strict';

  var C = window.DialogoConsole;
  var O = C.operator;
  var $ = C.$, str = C.str;
  var SOUND_KEY = 'dialogo.operator.sound';

  var audio = null;

  function soundOn() {
    try { return localStorage.getItem(SOUND_KEY) !== 'off'; } catch (e) { return true; }
  }

  function setSound(on) {
    try { localStorage.setItem(SOUND_KEY, on ? 'on' : 'off'); } catch (e) { /* storage disabled: the setting lasts for this page */ }
  }

  /** Browsers let audio start only after a user gesture: the context is made (or resumed) on the first one. */
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === 'suspended') audio.resume();
    } catch (e) { audio = null; }
  }

  /** Two short notes: a new citizen rises, a new message falls. */
  function tone(rising) {
    if (!soundOn() || !audio) return;
    try {
      var start = audio.currentTime + 0.01;
      [rising ? 660 : 880, rising ? 880 : 660].forEach(function (frequency, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = 'sine';
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + i * 0.16);
        gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.16 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.16 + 0.14);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(start + i * 0.16);
        osc.stop(start + i * 0.16 + 0.15);
      });
    } catch (e) { /* no sound is not an error */ }
  }

  function inFront() {
    return !document.hidden && document.hasFocus();
  }

  function canNotify() {
    return 'Notification' in window && window.Notification.permission === 'granted';
  }

  function notify(title, body, tag, sessionId) {
    if (!canNotify() || inFront()) return;
    try {
      var n = new window.Notification(title, { body: body, tag: tag, lang: 'it' });
      n.onclick = function () {
        window.focus();
        if (sessionId) O.openConversation(sessionId, 'composer');
        n.close();
      };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  function renderPermission() {
    var button = $('notify-enable');
    var stateText = '';
    if (!('Notification' in window)) {
      button.hidden = true;
      stateText = 'Notifiche non disponibili in questo browser';
    } else if (window.Notification.permission === 'granted') {
      button.hidden = true;
      stateText = 'Notifiche attive';
    } else if (window.Notification.permission === 'denied') {
      button.hidden = true;
      stateText = 'Notifiche bloccate dal browser';
    } else {
      button.hidden = false;
    }
    $('notify-state').textContent = stateText;
  }

  function askPermission() {
    unlockAudio();
    var result = window.Notification.requestPermission(renderPermission);
    if (result && typeof result.then === 'function') result.then(renderPermission, renderPermission);
  }

  O.on('start', function () {
    renderPermission();
    $('sound-toggle').checked = soundOn();
  });

  O.on('new-citizens', function (fresh) {
    tone(true);
    var first = fresh[0];
    var body = fresh.length === 1 ? O.cardTitle(first) : fresh.length + ' nuovi cittadini in coda';
    notify('Nuovo cittadino in coda', body, 'dialogo-queue', null);
  });

  O.on('citizen-message', function (event) {
    // Reading it now: nothing to call attention to.
    if (event.open && event.seen) return;
    tone(false);
    var text = str(event.entry.text);
    notify('Messaggio da un cittadino – ' + O.cardTitle(event.session), text.length > 140 ? text.slice(0, 139) + '\u2026' : text, 'dialogo-message-' + event.session.id, event.session.id);
  });

  function init() {
    $('notify-enable').addEventListener('click', askPermission);
    $('sound-toggle').addEventListener('change', function () {
      setSound($('sound-toggle').checked);
      if ($('sound-toggle').checked) unlockAudio();
    });
    // Any gesture unlocks audio for the tones that follow.
    document.addEventListener('pointerdown', unlockAudio, { once: true });
    document.addEventListener('keydown', unlockAudio, { once: true });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
