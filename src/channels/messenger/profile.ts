import { GET_STARTED_PAYLOAD } from './messenger-adapter';

/** Messenger Profile API limits: greeting 160 characters, menu titles 30. */
const GREETING_MAX = 160;
const MENU_TITLE_MAX = 30;

const MENU = {
  it: { frequent: 'Domande frequenti', operator: 'Parla con un operatore', contacts: 'Contatti del Comune' },
  en: { frequent: 'Frequent questions', operator: 'Talk to an operator', contacts: 'City contacts' },
} as const;

const GREETING = {
  it: 'Ciao {{user_first_name}}! Sono Dialogo, l’assistente del Comune di Milano: rispondo su servizi, pratiche e pagamenti, a ogni ora.',
  en: 'Hello {{user_first_name}}! I am Dialogo, the City of Milan’s assistant: ask me about city services, procedures and payments, any time.',
} as const;

/**
 * The page's Messenger profile: the Get Started button, the greeting shown before the first
 * message, and the persistent menu, in Italian (the default locale) and English. Menu payloads
 * are `DIALOGO_MENU:<command>:<language>`, read by the adapter as the bot's menu commands.
 *
 * @example
 * await graph.setProfile(messengerProfile());
 */
export function messengerProfile(): Record<string, unknown> {
  const menu = (language: 'it' | 'en') =>
    (Object.keys(MENU[language]) as (keyof (typeof MENU)['it'])[]).map((command) => ({
      type: 'postback',
      title: MENU[language][command],
      payload: `DIALOGO_MENU:${command}:${language}`,
    }));
  const profile = {
    get_started: { payload: GET_STARTED_PAYLOAD },
    greeting: [
      { locale: 'default', text: GREETING.it },
      { locale: 'en_US', text: GREETING.en },
      { locale: 'en_GB', text: GREETING.en },
    ],
    persistent_menu: [
      { locale: 'default', composer_input_disabled: false, call_to_actions: menu('it') },
      { locale: 'en_US', composer_input_disabled: false, call_to_actions: menu('en') },
      { locale: 'en_GB', composer_input_disabled: false, call_to_actions: menu('en') },
    ],
  };
  for (const g of profile.greeting) if (g.text.length > GREETING_MAX) throw new Error(`greeting for ${g.locale} is over ${GREETING_MAX} characters`);
  for (const m of profile.persistent_menu) for (const item of m.call_to_actions) if (item.title.length > MENU_TITLE_MAX) throw new Error(`menu title "${item.title}" is over ${MENU_TITLE_MAX} characters`);
  return profile;
}
