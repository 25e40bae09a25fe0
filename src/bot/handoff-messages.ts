import type { Language } from '../knowledge/topic-schema';
import { normalize } from '../nlu/normalize';
import type { HandoffOutcome } from '../storage/ports';

type Texts = Readonly<Record<Language, string>>;

/** What the bot says in the handoff flow, in Italian and English: short, one idea per message. */
export const HANDOFF = {
  confirm: {
    it: 'Vuoi parlare con un operatore del contact center 020202? Ti metto in coda qui in chat.',
    en: 'Would you like to talk to an operator of the 020202 contact centre? I will put you in the queue here in the chat.',
  },
  describe: {
    it: 'Scrivi in una riga di cosa hai bisogno, così l’operatore arriva preparato.',
    en: 'Please describe what you need in one line, so the operator comes prepared.',
  },
  describeTooLong: { it: 'Bastano una o due frasi (al massimo 300 caratteri). Riprova.', en: 'One or two sentences are enough (300 characters at most). Please try again.' },
  consent: {
    it: 'Per aiutarti, l’operatore leggerà questa conversazione con me (i dati personali restano oscurati). Acconsenti?',
    en: 'To help you, the operator will read this conversation with me (personal data stay masked). Do you agree?',
  },
  noConsent: {
    it: 'Va bene, senza il tuo consenso non passo la conversazione. Puoi chiamare lo 020202 o continuare a scrivermi.',
    en: 'All right, without your consent I will not pass the conversation on. You can call 020202 or keep writing to me.',
  },
  declined: { it: 'Va bene, continuo io. Chiedimi pure.', en: 'All right, I will carry on. Ask me anything.' },
  queued: {
    it: 'Sei in coda: posizione {position}, attesa stimata {eta}. Se chiami lo 020202, leggi all’operatore il codice {code}. Scrivi «esci» per tornare da me.',
    en: 'You are in the queue: position {position}, estimated wait {eta}. If you call 020202, read the code {code} to the operator. Type “leave” to come back to me.',
  },
  position: {
    it: 'Sei in coda: posizione {position}, attesa stimata {eta}. Scrivi «esci» per tornare da me.',
    en: 'You are in the queue: position {position}, estimated wait {eta}. Type “leave” to come back to me.',
  },
  stillQueued: {
    it: 'Ho annotato il tuo messaggio per l’operatore. Sei in coda: posizione {position}, attesa stimata {eta}.',
    en: 'I noted your message for the operator. You are in the queue: position {position}, estimated wait {eta}.',
  },
  connected: {
    it: 'Sei in contatto con {operator} del contact center 020202. Scrivi pure. Per chiudere la chat scrivi «termina».',
    en: 'You are now talking to {operator} of the 020202 contact centre. Go ahead. To end the chat, type “end chat”.',
  },
  citizenEnded: {
    it: 'Hai chiuso la chat con l’operatore. Sono di nuovo Dialogo: se hai altre domande, scrivimi.',
    en: 'You ended the chat with the operator. It is me, Dialogo, again: if you have more questions, write to me.',
  },
  idleClosed: {
    it: 'La chat con l’operatore è stata chiusa perché nessuno scriveva da un po’. Sono di nuovo Dialogo: se hai altre domande, scrivimi; per un operatore scrivi «operatore».',
    en: 'The chat with the operator was closed because nobody had written for a while. It is me, Dialogo, again: ask me anything, or type “operator” for a person.',
  },
  removedFromQueue: {
    it: 'Ti ho tolto dalla coda perché non ti ho più sentito. Se hai ancora bisogno di un operatore, scrivi «operatore».',
    en: 'I took you out of the queue because I did not hear from you. If you still need an operator, type “operator”.',
  },
  stillWaiting: {
    it: 'L’attesa è più lunga del previsto. Vuoi continuare ad attendere un operatore? Se non rispondi, tra poco ti tolgo dalla coda. Puoi anche lasciare una richiesta scritta: ti rispondiamo per e-mail.',
    en: 'The wait is longer than expected. Do you still want to wait for an operator? If you do not answer, I will take you out of the queue shortly. You can also leave a written request and we will answer by e-mail.',
  },
  operatorChanged: { it: 'Ora sei in contatto con {operator} del contact center 020202.', en: 'You are now talking to {operator} of the 020202 contact centre.' },
  /** {operator} of `connected` for an account without a display name: citizens never read a login. */
  anOperator: { it: 'un operatore', en: 'an operator' },
  /** Who signs an operator's message when the account has no display name: "Operatore (020202): …". */
  operatorAuthor: { it: 'Operatore', en: 'Operator' },
  left: { it: 'Sei uscito dalla coda. Sono di nuovo io, Dialogo: chiedimi pure.', en: 'You left the queue. It is me again, Dialogo: ask me anything.' },
  waitTooLong: {
    it: 'L’attesa è più lunga del previsto. Puoi lasciare una richiesta scritta e ti rispondiamo per e-mail, oppure continuare ad attendere.',
    en: 'The wait is longer than expected. You can leave a written request and we will answer by e-mail, or keep waiting.',
  },
  closedOutcome: {
    it: 'L’operatore ha chiuso la conversazione ({outcome}). Sono di nuovo io, Dialogo: se hai altre domande, scrivimi.',
    en: 'The operator closed the conversation ({outcome}). It is me again, Dialogo: if you have more questions, write to me.',
  },
  unavailableClosed: {
    it: 'Ora gli operatori non sono disponibili (orari: {hours}). Puoi lasciare una richiesta scritta: ti rispondiamo per e-mail. Vuoi lasciarla?',
    en: 'Operators are not available now (hours: {hours}). You can leave a written request and we will answer by e-mail. Would you like to?',
  },
  unavailableFull: {
    it: 'In questo momento tutti gli operatori sono occupati e la coda è piena. Puoi lasciare una richiesta scritta: ti rispondiamo per e-mail. Vuoi lasciarla?',
    en: 'All operators are busy right now and the queue is full. You can leave a written request and we will answer by e-mail. Would you like to?',
  },
  unavailableNoOperator: {
    it: 'Al momento nessun operatore è disponibile. Puoi lasciare una richiesta scritta: ti rispondiamo per e-mail. Vuoi lasciarla?',
    en: 'No operator is available right now. You can leave a written request and we will answer by e-mail. Would you like to?',
  },
  askEmail: { it: 'A quale indirizzo e-mail vuoi ricevere la risposta?', en: 'Which e-mail address should we answer to?' },
  badEmail: { it: 'Non mi sembra un indirizzo e-mail valido (esempio: nome@esempio.it). Riprova.', en: 'That does not look like a valid e-mail address (for example name@example.com). Please try again.' },
  askTicketDescription: { it: 'Descrivi la tua richiesta in poche frasi.', en: 'Describe your request in a few sentences.' },
  confirmTicket: {
    it: 'Invio questa richiesta scritta al Comune:\n«{description}»\nRisposta a: {email}\nConfermi?',
    en: 'I will send this written request to the city:\n“{description}”\nAnswer to: {email}\nDo you confirm?',
  },
  ticketCreated: {
    it: 'Richiesta registrata con il codice {reference}. Ti risponderemo all’indirizzo indicato; conserva il codice per eventuali solleciti.',
    en: 'Request recorded with the code {reference}. We will answer at the address you gave; keep the code for any follow-up.',
  },
  ticketCancelled: { it: 'Va bene, non invio nulla. Chiedimi pure.', en: 'All right, I will not send anything. Ask me anything.' },
  gaveUp: {
    it: 'Lasciamo stare per ora. Puoi sempre chiamare lo 020202 o scrivermi «operatore».',
    en: 'Let us leave it for now. You can always call 020202 or type “operator”.',
  },
  handingToAgentHub: { it: 'Ti sto passando a un operatore, attendi qualche istante.', en: 'I am passing you to an operator, please wait a moment.' },
  attachmentNotRelayed: {
    it: 'L’operatore non può vedere foto, audio o file inviati qui: scrivi a parole quello che contengono. I documenti si inviano con la richiesta scritta.',
    en: 'The operator cannot see photos, audio or files sent here: please write what they say. Documents can be sent with a written request.',
  },
  attachmentToOperatorNote: {
    it: '[Il cittadino ha inviato un allegato (foto, audio o file) che la console non mostra; gli è stato chiesto di scriverne il contenuto.]',
    en: '[The citizen sent an attachment (photo, audio or file) that the console does not show; they were asked to write what it says.]',
  },
  yes: { it: 'Sì', en: 'Yes' },
  no: { it: 'No', en: 'No' },
  agree: { it: 'Acconsento', en: 'I agree' },
  disagree: { it: 'Non acconsento', en: 'I do not agree' },
  confirmButton: { it: 'Conferma', en: 'Confirm' },
  cancelButton: { it: 'Annulla', en: 'Cancel' },
  writtenRequestButton: { it: 'Richiesta scritta', en: 'Written request' },
  keepWaitingButton: { it: 'Continuo ad attendere', en: 'Keep waiting' },
  leaveButton: { it: 'Esci dalla coda', en: 'Leave the queue' },
  endChatButton: { it: 'Termina la chat con l’operatore', en: 'End chat with the operator' },
  /** The same on 20-character buttons (Messenger's quick replies), which cut it to "Termina la chat con…". */
  endChatButtonShort: { it: 'Termina la chat', en: 'End the chat' },
  stillWaitingYes: { it: 'Sì, attendo', en: 'Yes, I will wait' },
  stillWaitingNo: { it: 'No, lascio perdere', en: 'No, never mind' },
} as const satisfies Record<string, Texts>;

const OUTCOMES: Record<HandoffOutcome, Texts> = {
  resolved: { it: 'richiesta risolta', en: 'request resolved' },
  'written-request': { it: 'seguirà una risposta scritta', en: 'a written answer will follow' },
  callback: { it: 'verrai richiamato', en: 'you will be called back' },
  left: { it: 'uscito dalla coda', en: 'left the queue' },
  timeout: { it: 'tempo scaduto', en: 'timed out' },
  ticket: { it: 'richiesta scritta', en: 'written request' },
  away: { it: 'uscito dalla coda (assente)', en: 'left the queue (away)' },
  'no-answer': { it: 'uscito dalla coda (nessuna risposta)', en: 'left the queue (no answer)' },
  'citizen-ended': { it: 'chat chiusa dal cittadino', en: 'chat ended by the citizen' },
  idle: { it: 'chiusa per inattività', en: 'closed for inactivity' },
};

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/**
 * An estimated wait in words: "meno di un minuto", "circa 4 minuti"; null (nobody available to
 * serve the queue) is said as such, never as a short wait.
 */
export function describeWait(seconds: number | null, language: Language): string {
  if (seconds === null) return language === 'en' ? 'unknown (no operator is available right now)' : 'non calcolabile (al momento nessun operatore è disponibile)';
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return language === 'en' ? 'under a minute' : 'meno di un minuto';
  if (minutes === 1) return language === 'en' ? 'about 1 minute' : 'circa 1 minuto';
  return language === 'en' ? `about ${minutes} minutes` : `circa ${minutes} minuti`;
}

export function describeOutcome(outcome: HandoffOutcome, language: Language): string {
  return OUTCOMES[outcome][language];
}

/** Words that answer yes, no, or ask to leave the queue or cancel, in either language. */
export const YES = new Set(['si', 'sì', 'yes', 'ok', 'okay', 'certo', 'va bene', 'acconsento', 'conferma', 'confermo', 'i agree', 'agree', 'confirm', 'sure', 'y', 's']);
export const NO = new Set(['no', 'non acconsento', 'i do not agree', 'annulla', 'cancel', 'no grazie', 'no thanks', 'n']);
export const LEAVE = new Set(['esci', 'esci dalla coda', 'leave', 'leave the queue', 'annulla', 'cancel', 'basta', 'stop', 'no, lascio perdere', 'no lascio perdere', 'no, never mind', 'no never mind']);
export const WRITTEN_REQUEST = new Set(['richiesta scritta', 'written request', 'lascia richiesta scritta']);

/**
 * What ends a connected chat, as a whole message only (compared after {@link normalize}), so that
 * "non riesco a uscire di casa" or "quando termina la scadenza?" still go to the operator.
 */
export const END_CHAT = new Set(
  ['esci', 'termina', 'termina la chat', 'chiudi la chat', 'chiudi chat', 'fine chat', 'stop', 'exit', 'end chat', 'end the chat', 'quit', 'stop chat', HANDOFF.endChatButton.it, HANDOFF.endChatButton.en].map(normalize),
);

/** Whether a whole message asks to end the chat with the operator. */
export function isEndChat(text: string): boolean {
  return END_CHAT.has(normalize(text));
}
