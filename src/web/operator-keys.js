/*
 * Dialogo – console operatori: keyboard shortcuts, listed in the page ("Scorciatoie").
 * P claims the citizen who has waited longest, S opens my next conversation, R goes to the
 * composer, C to the closing form. They never fire while typing in a field (Esc leaves the
 * composer) nor with Ctrl, Alt or Meta held; sending (Enter, Ctrl+Enter) is the composer's own.
 */
(function () {
  'use strict';

  var C = window.DialogoConsole;
  var O = C.operator;

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === 'input' || tag === 'textarea' || tag === 'select' || target.isContentEditable;
  }

  var ACTIONS = {
    p: function () { return O.claimNext(); },
    s: function () { return O.nextConversation(); },
    r: function () { return O.focusComposer(); },
    c: function () { return O.focusClose(); },
  };

  function onKeydown(event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (typing(event.target) || !O.me() || C.$('app-view').hidden) return;
    var action = ACTIONS[String(event.key).toLowerCase()];
    if (!action) return;
    event.preventDefault();
    if (String(event.key).toLowerCase() !== 'p') O.selectTab('conversations', false);
    action();
  }

  document.addEventListener('keydown', onKeydown);
})();
