/*
 * Dialogo chat widget for the City of Milan portal: the official Web Chat (botframework-webchat)
 * talking Direct Line 3.0 to Dialogo itself. One script tag:
 *
 *   <script src="https://dialogo.example/widget.js" data-bot-origin="https://dialogo.example" data-lang="it" defer></script>
 *
 * Data attributes: data-bot-origin (default: where this script comes from), data-lang (it | en;
 * default: the page's <html lang>, Italian when it is neither),
 * data-accent (CSS colour, default #c4161c), data-open (true: start open), data-transport
 * (websocket | polling; the page's ?transport= query parameter also works), data-title,
 * data-token-url (POST endpoint answering { token } when DIRECTLINE_SECRET is set; default: the
 * development-mode {bot-origin}/v3/directline/tokens/generate). A nonce attribute on the tag is
 * passed on to every <style> and <script> the widget adds (for a portal CSP with nonces).
 * API: window.DialogoWidget.setLanguage('en'), .open(), .close(), .reset().
 *
 * On a screen under 600 px, or a touch screen under 500 px high (a phone on its side), the open
 * chat fills the visual viewport (what is left above the on-screen keyboard), so the send box and
 * the close button always show. A bot answer taller
 * than the transcript is shown from its start; the citizen's own message scrolls to the end.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  // A portal whose Content-Security-Policy allows styles by nonce gives this script tag its nonce:
  // the widget's and Web Chat's <style> elements carry it, so the portal needs no 'unsafe-inline'.
  var nonce = (script && script.nonce) || undefined;
  var scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var origin = (data.botOrigin || scriptOrigin).replace(/\/+$/, '');
  var directLineDomain = origin + '/v3/directline';
  var accent = data.accent || '#c4161c';
  var query = new URLSearchParams(location.search);
  var transport = (query.get('transport') || data.transport || 'websocket').toLowerCase();
  var webSocket = transport !== 'polling';
  var storageKey = 'dialogo.webchat:' + origin;
  var language = normalizeLanguage(data.lang || document.documentElement.lang || 'it');
  // Phones: the panel takes the whole screen below this width, and on a short touch screen (a phone
  // on its side, 844 x 390, where a corner panel left a few lines of conversation). Keep in step
  // with PHONE_MEDIA in the CSS below.
  var PHONE_MEDIA = '(max-width: 600px), (max-height: 500px) and (pointer: coarse)';
  var PHONE = window.matchMedia ? window.matchMedia(PHONE_MEDIA) : { matches: false };

  var TEXT = {
    it: {
      title: data.title || 'Assistente del Comune',
      subtitle: 'Risponde Dialogo, l\u2019assistente virtuale',
      open: 'Apri la chat con l\u2019assistente del Comune',
      close: 'Chiudi la chat',
      launcher: 'Hai bisogno di aiuto?',
      region: 'Chat con l\u2019assistente virtuale del Comune di Milano',
      error: 'La chat non \u00e8 disponibile in questo momento. Riprova pi\u00f9 tardi.',
    },
    en: {
      title: data.title || 'City assistant',
      subtitle: 'Answered by Dialogo, the virtual assistant',
      open: 'Open the chat with the City assistant',
      close: 'Close the chat',
      launcher: 'Need help?',
      region: 'Chat with the City of Milan virtual assistant',
      error: 'The chat is not available right now. Please try again later.',
    },
  };

  function normalizeLanguage(value) {
    return String(value).toLowerCase().indexOf('en') === 0 ? 'en' : 'it';
  }

  function locale() {
    return language === 'en' ? 'en-US' : 'it-IT';
  }

  // ---- session storage: { token, conversationId, watermark } survives a reload of the page ----
  function loadSession() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(storageKey) || 'null');
      return saved && saved.token && saved.conversationId ? saved : null;
    } catch (e) {
      return null;
    }
  }
  function saveSession(directLine) {
    if (!directLine || !directLine.token || !directLine.conversationId) return;
    try {
      sessionStorage.setItem(
        storageKey,
        JSON.stringify({ token: directLine.token, conversationId: directLine.conversationId, watermark: directLine.watermark || null }),
      );
    } catch (e) {
      /* storage full or disabled: the conversation just will not survive a reload */
    }
  }
  function clearSession() {
    try {
      sessionStorage.removeItem(storageKey);
    } catch (e) {
      /* ignore */
    }
  }

  function post(path, token) {
    var url = /^https?:/.test(path) ? path : directLineDomain + path;
    return fetch(url, {
      method: 'POST',
      headers: token ? { Authorization: 'Bearer ' + token } : {},
    }).then(function (res) {
      if (!res.ok) throw new Error('Direct Line ' + path + ': ' + res.status);
      return res.json();
    });
  }

  /** A fresh token for a new conversation, or the saved conversation with a refreshed token. */
  function credentials() {
    var saved = loadSession();
    if (saved) {
      return post('/tokens/refresh', saved.token).then(
        function (body) {
          return { token: body.token, conversationId: saved.conversationId, resumed: true };
        },
        function () {
          clearSession();
          return credentials();
        },
      );
    }
    // A new conversation: Web Chat starts it (POST /conversations) with this token.
    return post(data.tokenUrl || '/tokens/generate').then(function (body) {
      return { token: body.token, conversationId: undefined, resumed: false };
    });
  }

  // ---- styles: the portal's look, WCAG 2.1 AA contrast and visible focus ----
  function injectStyles() {
    if (document.getElementById('dialogo-widget-style')) return;
    var style = document.createElement('style');
    style.id = 'dialogo-widget-style';
    if (nonce) style.nonce = nonce;
    style.textContent = [
      '.dialogo-widget{--dialogo-accent:' + accent + ';position:fixed;right:24px;bottom:24px;z-index:2147483000;font-family:"Titillium Web","Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a}',
      '.dialogo-widget *{box-sizing:border-box}',
      '.dialogo-widget button:focus-visible,.dialogo-widget a:focus-visible,.dialogo-widget input:focus-visible,.dialogo-widget [tabindex]:focus-visible{outline:3px solid #1a1a1a!important;outline-offset:2px!important;box-shadow:0 0 0 5px #fff!important}',
      '.dialogo-launcher{display:flex;align-items:center;gap:10px;min-height:52px;padding:0 20px;border:0;border-radius:26px;background:var(--dialogo-accent);color:#fff;font:inherit;font-size:1.05rem;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}',
      '.dialogo-launcher svg{width:24px;height:24px;fill:currentColor}',
      '.dialogo-panel{display:flex;flex-direction:column;width:min(400px,calc(100vw - 32px));height:min(620px,calc(100vh - 48px));height:min(620px,calc(100dvh - 48px));background:#fff;border:1px solid #c9c9c9;border-radius:12px;overflow:hidden;box-shadow:0 8px 28px rgba(0,0,0,.28)}',
      '.dialogo-panel[hidden],.dialogo-launcher[hidden]{display:none}',
      '.dialogo-header{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:12px 12px 12px 16px;background:var(--dialogo-accent);color:#fff}',
      '.dialogo-header h2{margin:0;font-size:1.1rem;line-height:1.3;font-weight:700;color:#fff}',
      '.dialogo-header p{margin:2px 0 0;font-size:.85rem;color:#fff}',
      '.dialogo-close{flex:none;width:44px;height:44px;border:2px solid transparent;border-radius:8px;background:transparent;color:#fff;font-size:1.6rem;line-height:1;cursor:pointer}',
      '.dialogo-close:hover{border-color:#fff}',
      '.dialogo-chat{flex:1;min-height:0}',
      '.dialogo-error{margin:16px;color:#1a1a1a}',
      // Many buttons in a short window (a phone with its keyboard up) scroll within a third of
      // the visible height instead of pushing the send box out of the panel.
      '.dialogo-chat .webchat__suggested-actions--flow-layout{max-height:33vh;max-height:calc(var(--dialogo-vv-height,100dvh) / 3);overflow-y:auto}',
      // Phones: the open panel covers the visual viewport. --dialogo-vv-* follow visualViewport
      // (the keyboard shrinks it); 100dvh and then 100vh are the fallbacks. The page under it
      // does not scroll, and its overflow cannot push the panel off the screen.
      '@media ' + PHONE_MEDIA + '{',
      '.dialogo-widget{right:16px;bottom:16px}',
      '.dialogo-widget.dialogo-open{inset:auto;left:0;top:0;right:auto;bottom:auto}',
      '.dialogo-widget.dialogo-open .dialogo-panel{position:fixed;left:var(--dialogo-vv-left,0px);top:var(--dialogo-vv-top,0px);width:var(--dialogo-vv-width,100vw);height:100vh;height:100dvh;height:var(--dialogo-vv-height,100dvh);border:0;border-radius:0;box-shadow:none}',
      '.dialogo-header{padding:6px 6px 6px 14px}',
      '.dialogo-header h2{font-size:1.05rem}',
      '.dialogo-header p{font-size:.8rem}',
      'html.dialogo-page-locked,html.dialogo-page-locked body{overflow:hidden!important}',
      '}',
      // A phone with its keyboard up: the welcome already says who answers, the chat needs the room.
      '@media (max-width:600px) and (max-height:500px),(max-height:500px) and (pointer:coarse){.dialogo-header p{display:none}}',
    ].join('\n');
    document.head.appendChild(style);
  }

  function styleOptions() {
    return {
      accent: accent,
      primaryFont: '"Titillium Web", "Segoe UI", Roboto, Arial, sans-serif',
      backgroundColor: '#ffffff',
      bubbleBackground: '#f2f2f2',
      bubbleBorderRadius: 10,
      bubbleTextColor: '#1a1a1a',
      bubbleFromUserBackground: accent,
      bubbleFromUserTextColor: '#ffffff',
      bubbleFromUserBorderRadius: 10,
      bubbleMaxWidth: 560,
      botAvatarInitials: 'MI',
      botAvatarBackgroundColor: accent,
      hideUploadButton: true,
      sendBoxButtonColor: accent,
      sendBoxButtonColorOnHover: '#1a1a1a',
      sendBoxTextColor: '#1a1a1a',
      sendBoxHeight: 52,
      subtle: '#595959',
      timestampColor: '#595959',
      suggestedActionLayout: 'flow',
      suggestedActionBackgroundColor: '#ffffff',
      suggestedActionBorderColor: accent,
      suggestedActionBorderWidth: 2,
      suggestedActionBorderRadius: 20,
      suggestedActionTextColor: accent,
      suggestedActionHeight: 40,
      suggestedActionBackgroundColorOnHover: accent,
      suggestedActionTextColorOnHover: '#ffffff',
      transcriptVisualKeyboardIndicatorColor: '#1a1a1a',
      transcriptVisualKeyboardIndicatorWidth: 3,
      transcriptActivityVisualKeyboardIndicatorColor: '#1a1a1a',
      transcriptActivityVisualKeyboardIndicatorWidth: 3,
      // A new answer taller than the transcript stops scrolling at its first line (read from
      // the start, not landed on at its end); shorter ones still bring the log to the bottom.
      autoScrollSnapOnPage: true,
      autoScrollSnapOnPageOffset: 0,
    };
  }

  // Dialogo answers in plain text with bare URLs; render them as Markdown so the links are clickable
  // (Web Chat opens Markdown links in a new tab).
  function createStore() {
    return window.WebChat.createStore({}, function () {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload && action.payload.activity) {
            var activity = action.payload.activity;
            if (activity.type === 'message' && activity.textFormat === 'plain' && activity.from && activity.from.role === 'bot') {
              action = Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: Object.assign({}, activity, { textFormat: 'markdown' }) }) });
            }
          }
          return next(action);
        };
      };
    });
  }

  // ---- the widget ----
  var root, panel, launcher, chatEl, titleEl, subtitleEl, closeBtn, launcherLabel;
  var directLine, store, started = false, subscriptions = [];

  function build() {
    injectStyles();
    root = document.createElement('div');
    root.className = 'dialogo-widget';
    root.setAttribute('data-dialogo-widget', '');

    launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.className = 'dialogo-launcher';
    launcher.setAttribute('aria-controls', 'dialogo-panel');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-4 4V5a2 2 0 0 1 2-2z"/></svg>';
    launcherLabel = document.createElement('span');
    launcher.appendChild(launcherLabel);
    launcher.addEventListener('click', open);

    panel = document.createElement('section');
    panel.id = 'dialogo-panel';
    panel.className = 'dialogo-panel';
    panel.hidden = true;
    panel.setAttribute('aria-labelledby', 'dialogo-title');
    var header = document.createElement('div');
    header.className = 'dialogo-header';
    var heading = document.createElement('div');
    titleEl = document.createElement('h2');
    titleEl.id = 'dialogo-title';
    subtitleEl = document.createElement('p');
    heading.appendChild(titleEl);
    heading.appendChild(subtitleEl);
    closeBtn = document.createElement('button');
    closeBtn.type = 'button';
    closeBtn.className = 'dialogo-close';
    closeBtn.setAttribute('aria-controls', 'dialogo-panel');
    closeBtn.setAttribute('aria-expanded', 'true');
    closeBtn.innerHTML = '<span aria-hidden="true">\u00d7</span>';
    closeBtn.addEventListener('click', close);
    header.appendChild(heading);
    header.appendChild(closeBtn);
    chatEl = document.createElement('div');
    chatEl.className = 'dialogo-chat';
    chatEl.setAttribute('data-dialogo-chat', '');
    panel.appendChild(header);
    panel.appendChild(chatEl);
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') close();
    });

    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);
    applyTexts();
  }

  function applyTexts() {
    var t = TEXT[language];
    root.setAttribute('lang', language);
    titleEl.textContent = t.title;
    subtitleEl.textContent = t.subtitle;
    launcherLabel.textContent = t.launcher;
    launcher.setAttribute('aria-label', t.open);
    closeBtn.setAttribute('aria-label', t.close);
    panel.setAttribute('aria-label', t.region);
  }

  function render() {
    if (!directLine) return;
    window.WebChat.renderWebChat(
      { directLine: directLine, store: store, locale: locale(), styleOptions: styleOptions(), nonce: nonce },
      chatEl,
    );
  }

  function start() {
    if (started) return Promise.resolve();
    started = true;
    return loadWebChat()
      .then(credentials)
      .then(function (cred) {
        var options = { token: cred.token, domain: directLineDomain, webSocket: webSocket };
        // Resuming after a reload: reconnect to the saved conversation from the start, so the history shows again.
        if (cred.conversationId) options.conversationId = cred.conversationId;
        // The conversation starts in the page's language: the bot's welcome is the first thing said in it.
        if (!cred.conversationId) options.conversationStartProperties = { locale: locale() };
        directLine = window.WebChat.createDirectLine(options);
        store = createStore();
        subscriptions.push(
          directLine.activity$.subscribe(function () {
            saveSession(directLine);
          }),
          directLine.connectionStatus$.subscribe(function (status) {
            // 2 Online: keep what reconnects need; 4 FailedToConnect on a resumed conversation: start afresh.
            if (status === 2) saveSession(directLine);
            if (status === 4 && cred.resumed) reset();
          }),
        );
        window.addEventListener('pagehide', function () {
          saveSession(directLine);
        });
        render();
      })
      .catch(function (error) {
        started = false;
        chatEl.innerHTML = '';
        var p = document.createElement('p');
        p.className = 'dialogo-error';
        p.setAttribute('role', 'alert');
        p.textContent = TEXT[language].error;
        chatEl.appendChild(p);
        if (window.console) console.error('Dialogo widget:', error);
      });
  }

  function loadWebChat() {
    if (window.WebChat) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var tag = document.createElement('script');
      tag.src = origin + '/webchat/__WEBCHAT_VERSION__/webchat.js';
      if (nonce) tag.nonce = nonce;
      tag.async = true;
      tag.onload = function () {
        resolve();
      };
      tag.onerror = function () {
        reject(new Error('Web Chat bundle not loaded'));
      };
      document.head.appendChild(tag);
    });
  }

  function focusSendBox() {
    var input = chatEl.querySelector('input[type="text"], textarea');
    if (input) input.focus();
  }

  /** Shows or hides the panel; on a phone the open panel is full screen and the page under it holds still. */
  function showPanel(show) {
    panel.hidden = !show;
    launcher.hidden = show;
    launcher.setAttribute('aria-expanded', String(show));
    root.classList.toggle('dialogo-open', show);
    document.documentElement.classList.toggle('dialogo-page-locked', show);
    if (show) followViewport();
  }

  // The visual viewport is the part of the screen the citizen sees: on a phone the on-screen
  // keyboard takes the rest. The full-screen panel (CSS above) is sized to it, so the send box
  // sits just above the keyboard instead of under it.
  function followViewport() {
    var vv = window.visualViewport;
    if (!vv || !root) return;
    root.style.setProperty('--dialogo-vv-height', vv.height + 'px');
    root.style.setProperty('--dialogo-vv-width', vv.width + 'px');
    root.style.setProperty('--dialogo-vv-top', vv.offsetTop + 'px');
    root.style.setProperty('--dialogo-vv-left', vv.offsetLeft + 'px');
  }

  function open() {
    showPanel(true);
    // The launcher just disappeared: never leave the focus on a hidden element.
    closeBtn.focus();
    // On a phone, focus in the send box raises the keyboard over the welcome and its starter
    // buttons: the focus stays on the close button until the citizen taps the send box.
    var typeAtOnce = !PHONE.matches;
    var wasStarted = started;
    if (wasStarted && typeAtOnce) focusSendBox();
    start().then(function () {
      if (!wasStarted && typeAtOnce) setTimeout(focusSendBox, 50);
    });
  }

  function close() {
    showPanel(false);
    launcher.focus();
  }

  function reset() {
    subscriptions.splice(0).forEach(function (s) {
      s.unsubscribe();
    });
    if (directLine) directLine.end();
    directLine = undefined;
    clearSession();
    started = false;
    return start();
  }

  function setLanguage(value) {
    language = normalizeLanguage(value);
    applyTexts();
    render();
  }

  function init() {
    build();
    if (window.visualViewport) {
      window.visualViewport.addEventListener('resize', followViewport);
      window.visualViewport.addEventListener('scroll', followViewport);
    }
    // data-open starts the chat open; on a phone that would cover the page the citizen came
    // for, so there the launcher shows first.
    if (data.open === 'true' && !PHONE.matches) {
      showPanel(true);
      start();
    }
  }

  window.DialogoWidget = { open: open, close: close, reset: reset, setLanguage: setLanguage };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
