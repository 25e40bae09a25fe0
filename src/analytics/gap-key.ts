import { END_CHAT, HANDOFF, LEAVE, NO, WRITTEN_REQUEST, YES } from '../bot/handoff-messages';
import { MESSAGES } from '../bot/messages';
import { normalize, tokenize } from '../nlu/normalize';
import { STOPWORDS } from '../nlu/stopwords';

/** Redaction placeholders (`[EMAIL]`, `[CODICE_FISCALE]`...) say nothing about the need, and "codice fiscale" would. */
const PLACEHOLDER = /\[[A-Z_]+\]/g;
const STOP: ReadonlySet<string> = new Set([...STOPWORDS.it, ...STOPWORDS.en]);

const labels = (texts: readonly { it: string; en: string }[]): string[] => texts.flatMap((t) => [t.it, t.en]);
/**
 * Whole messages that answer the bot rather than ask it: its own button labels and the yes/no,
 * leave and cancel words the dialogs accept. Typed or tapped when the bot no longer expects them
 * (after a restart, a timeout), they reach the fallback but are no question the knowledge base lacks.
 */
const BUTTON_TEXTS: ReadonlySet<string> = new Set(
  [
    ...labels([MESSAGES.yes, MESSAGES.no, MESSAGES.operatorLabel]),
    ...labels([HANDOFF.yes, HANDOFF.no, HANDOFF.agree, HANDOFF.disagree, HANDOFF.confirmButton, HANDOFF.cancelButton, HANDOFF.writtenRequestButton, HANDOFF.keepWaitingButton, HANDOFF.leaveButton, HANDOFF.endChatButton]),
    ...YES, ...NO, ...LEAVE, ...WRITTEN_REQUEST, ...END_CHAT,
  ].map(normalize),
);
/**
 * Words that only agree, refuse, thank or greet: a message made of nothing else ("ok grazie",
 * "sì confermo", "yes please") is an answer to the bot, not a gap.
 */
const REPLY_WORDS: ReadonlySet<string> = new Set(
  ['si', 'no', 'ok', 'okay', 'oki', 'okk', 'yes', 'yep', 'yeah', 'nope', 'certo', 'bene', 'va', 'conferma', 'confermo', 'confermato', 'acconsento', 'accetto', 'annulla', 'grazie', 'mille', 'perfetto', 'capito', 'agree', 'confirm', 'confirmed', 'cancel', 'please', 'thanks', 'thank', 'sure', 'ciao', 'salve', 'buongiorno', 'buonasera', 'hello', 'hi'],
);

/**
 * The knowledge-gap key of a (redacted) text: its normalised significant words, unique and
 * sorted, joined by spaces; '' when none is left, and '' for an answer to the bot rather than a
 * question (a button label, "sì", "conferma", "acconsento", "ok grazie"). Stopwords of both
 * languages go, as in the analyzer, because citizens mix them.
 *
 * @example
 * gapKey("Dove posso lasciare la bici rubata? [PHONE]") // 'bici dove lasciare rubata'
 * gapKey('Acconsento') // ''
 */
export function gapKey(text: string): string {
  const normalized = normalize(text.replace(PLACEHOLDER, ' '));
  if (BUTTON_TEXTS.has(normalized)) return '';
  const all = tokenize(normalized);
  if (all.length > 0 && all.every((w) => REPLY_WORDS.has(w) || BUTTON_TEXTS.has(w))) return '';
  const words = all.filter((w) => !STOP.has(w));
  return [...new Set(words)].sort().join(' ');
}
