import type { Language } from '../knowledge/topic-schema';

/** Contact details the bot gives when it offers a person (until the handoff console lands). */
export interface ContactInfo {
  readonly hoursIt: string;
  readonly hoursEn: string;
  readonly writtenRequestUrl: string;
}

/**
 * Every sentence the bot says, in Italian and English. Plain language, short, one idea each:
 * citizens read these on a phone.
 */
export const MESSAGES = {
  welcome: {
    it:
      'Ciao, sono Dialogo, l’assistente virtuale del Comune di Milano. Rispondo sui servizi della città; ' +
      'per i casi personali ti indico il contact center 020202 o una richiesta scritta. ' +
      'Scegli un argomento qui sotto o scrivi la tua domanda con parole tue.',
    en:
      'Hello, I am Dialogo, the City of Milan’s virtual assistant. I answer questions on city services; ' +
      'for personal cases I point you to the 020202 contact centre or a written request. ' +
      'Pick a subject below or type your question in your own words.',
  },
  help: {
    it: 'Fammi una domanda su un servizio del Comune, per esempio «quanto costa la carta d’identità?» o «quando scade la TARI?». Se preferisci una persona, scrivi «operatore».',
    en: 'Ask me about a city service, for example “how much is the identity card?” or “when is the waste tax due?”. If you prefer a person, type “operator”.',
  },
  thanks: { it: 'Prego! Se hai un’altra domanda, sono qui.', en: 'You are welcome! If you have another question, I am here.' },
  goodbye: { it: 'Arrivederci e buona giornata!', en: 'Goodbye, have a nice day!' },
  moreInfo: { it: 'Maggiori informazioni', en: 'More information' },
  wasItUseful: { it: 'Ti è stata utile?', en: 'Was this helpful?' },
  alsoAsked: { it: 'Nel tuo messaggio hai chiesto anche altro: scegli qui sotto.', en: 'Your message also asked about more: pick below.' },
  moreOnTopic: { it: 'Altro su questo tema nei pulsanti qui sotto.', en: 'More on this subject in the buttons below.' },
  feedbackThanks: { it: 'Grazie del riscontro!', en: 'Thank you for your feedback!' },
  feedbackSorry: {
    it: 'Mi dispiace. Prova a riformulare la domanda con altre parole, oppure scrivi «operatore» per i contatti di una persona.',
    en: 'I am sorry. Try asking again in other words, or type “operator” for how to reach a person.',
  },
  feedbackSorryEscalate: {
    it: 'Mi dispiace. Per questo tema spesso serve una persona che veda il tuo caso:',
    en: 'I am sorry. For this subject a person often needs to look at your case:',
  },
  disambiguate: { it: 'Non sono sicuro di aver capito. Intendevi uno di questi argomenti?', en: 'I am not sure I understood. Did you mean one of these?' },
  fallback: {
    it: 'Non ho trovato una risposta. Prova con poche parole chiave, per esempio «rinnovo carta d’identità» o «pagare multa».',
    en: 'I could not find an answer. Try a few keywords, for example “renew identity card” or “pay a fine”.',
  },
  frequentTopics: {
    it: 'Ecco gli argomenti più richiesti. Scegline uno o scrivi la tua domanda.',
    en: 'These are the most asked-about subjects. Pick one or type your question.',
  },
  fallbackSuggestions: { it: 'Argomenti frequenti:', en: 'Frequent topics:' },
  closestSuggestions: { it: 'Forse cercavi uno di questi argomenti:', en: 'Perhaps you were looking for one of these:' },
  /** Asked when a single topic came close: `{title}` is the topic's title. */
  confirmTopic: { it: 'Intendi: {title}?', en: 'Do you mean: {title}?' },
  confirmDeclined: {
    it: 'Va bene. Prova a scrivere la domanda con altre parole, oppure scegli un argomento.',
    en: 'All right. Try asking in other words, or pick a subject.',
  },
  outOfScope: {
    it: 'Questo non riguarda i servizi del Comune di Milano, quindi non so aiutarti. Posso rispondere su documenti, tasse, mobilità, scuole e altri servizi della città.',
    en: 'That is not about the City of Milan’s services, so I cannot help with it. I can answer on documents, taxes, transport, schools and other city services.',
  },
  insult: {
    it: 'Mi dispiace se non ti sono stato utile. Prova a scrivere la domanda con altre parole, oppure scrivi «operatore» per parlare con una persona.',
    en: 'I am sorry if I was not helpful. Try asking in other words, or type “operator” to reach a person.',
  },
  nonsense: {
    it: 'Non ho capito. Scrivi la tua domanda su un servizio del Comune, per esempio «quanto costa la carta d’identità?».',
    en: 'I did not understand. Type your question about a city service, for example “how much is the identity card?”.',
  },
  yes: { it: 'Sì', en: 'Yes' },
  no: { it: 'No', en: 'No' },
  tooLong: {
    it: 'Il messaggio è troppo lungo per me. Scrivi la domanda in una o due frasi.',
    en: 'That message is too long for me. Please ask your question in one or two sentences.',
  },
  noText: {
    it: 'Posso leggere solo testo. Scrivi la tua domanda a parole.',
    en: 'I can only read text. Please type your question in words.',
  },
  attachmentOnly: {
    it: 'Posso leggere solo testo, non allegati o immagini. Scrivi la tua domanda; per inviare documenti al Comune usa la richiesta scritta:',
    en: 'I can only read text, not attachments or pictures. Type your question; to send documents to the city use a written request:',
  },
  error: {
    it: 'Scusa, qualcosa è andato storto. Riprova tra poco; se il problema continua chiama lo 020202.',
    en: 'Sorry, something went wrong. Please try again shortly; if it keeps happening call 020202.',
  },
  operatorLabel: { it: 'Parla con un operatore', en: 'Talk to an operator' },
  /** The same where a button has 20 characters (Messenger's quick replies), which cut the label to "Parla con un…". */
  operatorLabelShort: { it: 'Parla con operatore', en: 'Talk to an operator' },
  /**
   * The welcome's starter buttons: the subjects citizens ask about most, each a short label (at
   * most 20 characters, Messenger's quick-reply limit) that sends a whole question in the
   * citizen's words, so the answer is the facet asked and the button shows how to ask. Same
   * subjects, same order as `FREQUENT_TOPICS` (dialogs/faq-buttons.ts); tests/bot/welcome.test.ts checks it.
   */
  starters: {
    it: [
      { title: 'Carta d’identità', question: 'come rinnovo la carta d’identità' },
      { title: 'Certificati', question: 'come scarico un certificato di residenza' },
      { title: 'Pagare la TARI', question: 'come pago la TARI' },
      { title: 'Pagare una multa', question: 'come pago una multa' },
      { title: 'Area C', question: 'come si entra in Area C' },
    ],
    en: [
      { title: 'Identity card', question: 'how do I renew my identity card' },
      { title: 'Certificates', question: 'how do I download a residence certificate' },
      { title: 'Waste tax (TARI)', question: 'how do I pay the waste tax' },
      { title: 'Paying a fine', question: 'how do I pay a fine' },
      { title: 'Area C', question: 'how do I enter Area C' },
    ],
  },
  useful: { it: '👍', en: '👍' },
  notUseful: { it: '👎', en: '👎' },
} as const;

/** The offer of a person: 020202's hours and the written-request link (the handoff console comes later). */
export function humanContact(language: Language, contact: ContactInfo): string {
  return language === 'en'
    ? `You can talk to an operator of the 020202 contact centre (from abroad +39 02 02 02), ${contact.hoursEn}. ` +
        `At any time you can send a written request to the city: ${contact.writtenRequestUrl}`
    : `Puoi parlare con un operatore del contact center 020202 (dall’estero +39 02 02 02), ${contact.hoursIt}. ` +
        `In qualsiasi momento puoi inviare una richiesta scritta al Comune: ${contact.writtenRequestUrl}`;
}
