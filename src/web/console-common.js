/*
 * What the operator console and the supervisors' dashboard share: DOM helpers that only ever
 * create text nodes and set attributes (never markup: citizens' words are shown as text), the
 * JSON API client with Dialogo's error shape, and the console token kept in sessionStorage.
 * Loaded before each page's own script; exposes window.DialogoConsole.
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'dialogo.operator.token';

  function $(id) {
    return document.getElementById(id);
  }

  /** Builds an element: attributes via setAttribute (never markup), children as text nodes or elements. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === 'className') node.className = value;
        else if (name === 'text') node.textContent = String(value);
        else node.setAttribute(name, value === true ? '' : String(value));
      });
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    if (children === null || children === undefined) return node;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) return append(node, child);
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function setText(id, text) {
    $(id).textContent = text === null || text === undefined ? '' : String(text);
  }

  function str(value) {
    return value === null || value === undefined ? '' : String(value);
  }

  /**
   * A failed call: HTTP status (0 when the server was unreachable), Dialogo's error code and
   * message, and the seconds of the Retry-After header (null when there was none).
   */
  function ApiError(status, code, message, details, retryAfterSeconds) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds === undefined ? null : retryAfterSeconds;
  }

  /** Retry-After as seconds: either a number of seconds or an HTTP date; null when absent or unreadable. */
  function retryAfter(value) {
    if (!value) return null;
    if (/^\d+$/.test(value.trim())) return Number(value.trim());
    var at = Date.parse(value);
    return isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
  }

  /** Calls `url` with the console token; resolves with the Response when it is 2xx, rejects with an ApiError otherwise. */
  function request(method, url, body, token, accept) {
    var headers = { Accept: accept || 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(url, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    }).then(
      function (response) {
        if (response.ok) return response;
        return response.text().then(function (raw) {
          var data = null;
          try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
          var error = (data && data.error) || {};
          throw new ApiError(response.status, str(error.code) || 'HTTP_' + response.status, str(error.message), error.details, retryAfter(response.headers.get('Retry-After')));
        });
      },
      function () {
        throw new ApiError(0, 'NETWORK', 'Server non raggiungibile: controlla la connessione e riprova.');
      },
    );
  }

  /** The JSON body of a successful Response ({} when empty). */
  function json(response) {
    return response.text().then(function (raw) {
      if (!raw) return {};
      try { return JSON.parse(raw); } catch (e) { throw new ApiError(response.status, 'BAD_RESPONSE', 'Risposta del server non valida.'); }
    });
  }

  /**
   * A message in Italian for a failed call: `known` maps error codes to texts (or functions of the
   * error), `byStatus` gives the page's own texts for some statuses (401, 403, 404...).
   */
  function describeError(error, known, byStatus) {
    if (!(error instanceof ApiError)) return 'Errore imprevisto: riprova.';
    var text = known && known[error.code];
    if (text) return typeof text === 'function' ? text(error) : text;
    if (error.code === 'NETWORK' || error.code === 'BAD_RESPONSE') return error.message;
    if (byStatus && byStatus[error.status]) return byStatus[error.status];
    if (error.status === 429) return 'Troppe richieste: attendi qualche secondo e riprova.';
    if (error.status >= 500) return 'Errore del server: riprova tra poco.';
    return error.message || 'Operazione non riuscita (' + error.code + ').';
  }

  var LOGIN_TEXTS = {
    it: {
      failed: 'Nome utente o password non corretti.',
      limited: function (minutes) {
        if (minutes === null) return 'Troppi tentativi: riprova tra qualche minuto.';
        return 'Troppi tentativi: riprova tra ' + (minutes === 1 ? '1 minuto' : minutes + ' minuti') + '.';
      },
    },
    en: {
      failed: 'Wrong username or password.',
      limited: function (minutes) {
        if (minutes === null) return 'Too many attempts: try again in a few minutes.';
        return 'Too many attempts: try again in ' + (minutes === 1 ? '1 minute' : minutes + ' minutes') + '.';
      },
    },
  };

  /**
   * What to tell someone whose sign-in failed, in the page's language (`it`, or `en` for a page
   * in English): a wrong password, or too many failures with the minutes to wait (rounded up,
   * from Retry-After); any other failure as describeError says it.
   */
  function describeLoginError(error, language) {
    var texts = LOGIN_TEXTS[String(language || '').slice(0, 2)] || LOGIN_TEXTS.it;
    if (error instanceof ApiError && error.code === 'LOGIN_FAILED') return texts.failed;
    if (error instanceof ApiError && error.code === 'LOGIN_RATE_LIMITED') {
      var seconds = error.retryAfterSeconds;
      return texts.limited(seconds === null ? null : Math.max(1, Math.ceil(seconds / 60)));
    }
    return describeError(error);
  }

  function loadToken() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function saveToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage disabled: the session lasts until the page is reloaded */ }
  }

  // Not frozen: the operator console's scripts add their hooks to it (operator.js: `operator`).
  window.DialogoConsole = Object.assign(window.DialogoConsole || {}, {
    $: $, el: el, append: append, clear: clear, setText: setText, str: str,
    ApiError: ApiError, request: request, json: json, describeError: describeError, describeLoginError: describeLoginError,
    loadToken: loadToken, saveToken: saveToken,
  });
})();
