// The demo page's language switch: Italian by default, English on request; tells the widget too.
(function () {
  'use strict';
  var TEXT = {
    it: {
      skip: 'Vai al contenuto principale', brand: 'Comune di Milano', languageNav: 'Lingua', mainNav: 'Menu principale',
      navServices: 'Servizi', navNews: 'Notizie', navContacts: 'Contatti', breadcrumb: 'Home / Servizi / Anagrafe',
      title: 'Servizi anagrafici',
      lead: 'Carta d\u2019identità, certificati, cambio di residenza: trova le informazioni e i servizi online del Comune di Milano.',
      servicesTitle: 'Servizi più richiesti', card1Title: 'Carta d\u2019identità elettronica', card1Text: 'Come richiederla, rinnovarla e quanto costa.',
      card2Title: 'Certificati anagrafici', card2Text: 'Scarica online i certificati con SPID o CIE.',
      card3Title: 'Cambio di residenza', card3Text: 'Dichiara il cambio di residenza o di indirizzo.',
      contactsTitle: 'Hai bisogno di aiuto?',
      contactsText: 'Scrivi all\u2019assistente virtuale nella chat in basso a destra: risponde in italiano e in inglese, a qualsiasi ora.',
      footer: 'Comune di Milano \u2013 Piazza della Scala 2, 20121 Milano. Pagina dimostrativa di Dialogo.',
      pageTitle: 'Comune di Milano \u2013 Servizi al cittadino',
    },
    en: {
      skip: 'Skip to main content', brand: 'City of Milan', languageNav: 'Language', mainNav: 'Main menu',
      navServices: 'Services', navNews: 'News', navContacts: 'Contacts', breadcrumb: 'Home / Services / Registry office',
      title: 'Registry services',
      lead: 'Identity card, certificates, change of residence: find the information and online services of the City of Milan.',
      servicesTitle: 'Most requested services', card1Title: 'Electronic identity card', card1Text: 'How to apply for it, renew it and what it costs.',
      card2Title: 'Registry certificates', card2Text: 'Download certificates online with SPID or CIE.',
      card3Title: 'Change of residence', card3Text: 'Declare a change of residence or address.',
      contactsTitle: 'Need help?',
      contactsText: 'Write to the virtual assistant in the chat at the bottom right: it answers in Italian and English, at any time.',
      footer: 'City of Milan \u2013 Piazza della Scala 2, 20121 Milan. Dialogo demo page.',
      pageTitle: 'City of Milan \u2013 Citizen services',
    },
  };
  var KEY = 'dialogo.portal.lang';

  function apply(lang) {
    var t = TEXT[lang] || TEXT.it;
    document.documentElement.lang = lang;
    document.title = t.pageTitle;
    document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t[el.getAttribute('data-i18n')]; });
    document.querySelectorAll('[data-i18n-label]').forEach(function (el) { el.setAttribute('aria-label', t[el.getAttribute('data-i18n-label')]); });
    document.querySelectorAll('.lang-switch button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang)); });
    var widget = document.querySelector('script[src$="/widget.js"]');
    if (widget) widget.setAttribute('data-lang', lang);
    if (window.DialogoWidget) window.DialogoWidget.setLanguage(lang);
    try { sessionStorage.setItem(KEY, lang); } catch (e) { /* ignore */ }
  }

  var initial = 'it';
  try { initial = new URLSearchParams(location.search).get('lang') || sessionStorage.getItem(KEY) || 'it'; } catch (e) { /* ignore */ }
  initial = initial === 'en' ? 'en' : 'it';
  // The page's language is set at once (this script runs at the end of <body>), before the
  // deferred widget starts: the widget reads <html lang> and opens the conversation in it.
  apply(initial);
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('.lang-switch button').forEach(function (b) {
      b.addEventListener('click', function () { apply(b.getAttribute('data-lang')); });
    });
  });
})();
