import type { Intent } from './recognizer';

/**
 * Requests for a person, in Italian and English, over normalised text (no accents, lower
 * case). Patterns rather than sample questions: these phrasings are a closed set, and a
 * miss here costs a citizen who explicitly asked for a human.
 */
const STRONG_HUMAN = String.raw`(?:operator[ei]?|operatric[ei]|umano|essere umano|person[ae] (?:fisica|vera|reale|in carne e ossa)|qualcuno in carne e ossa|dipendente(?: del comune)?|addett[oi]|human|humans|agent|operator|real person|representative)`;
const ANY_HUMAN = String.raw`(?:${STRONG_HUMAN}|person[ae]|qualcuno|impiegat[oi]|funzionari[oi]|consulente|someone|somebody|person|anyone|a person)`;
// Verbs of talking take any person ("mi passi una persona"); verbs of wanting only a clear
// human noun, so that "mi serve un documento per una persona anziana" stays a question.
const TALK = String.raw`(?:parlare|parlo|parla|messo in contatto|messa in contatto|metta in contatto|rispondere|risponde|chattare|passare|passi|passa|passami|passarmi|mettere in contatto|mettermi in contatto|metti in contatto|collegare|collegami|collegarmi|talk|speak|chat|connect|transfer|put me through)`;
const WANT = String.raw`(?:voglio|vorrei|chiedo|richiedo|serve|avere|contattare|sentire|bisogno|assistenza|need|want|get|request)`;

/** Words of requests for a human, known to the spelling corrector so that "operatre" becomes "operatore". */
export const HANDOFF_WORDS: readonly string[] = ['operatore', 'operatori', 'operatrice', 'umano', 'persona', 'parlare', 'voglio',
  'vorrei', 'addetto', 'impiegato', 'dipendente', 'qualcuno', 'human', 'person', 'operator', 'agent', 'speak', 'talk', 'someone'];

const HANDOFF_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\b${TALK}\b(?: \w+){0,5} ${ANY_HUMAN}\b`),
  new RegExp(String.raw`\b${WANT}\b(?: \w+){0,4} ${STRONG_HUMAN}\b`),
  new RegExp(String.raw`^(?:un |un a |an |a )?${STRONG_HUMAN}(?: per favore| please| subito| now)?$`),
  /\b(?:non (?:voglio|vorrei) (?:parlare con )?(?:un |il )?(?:bot|robot|chatbot|macchina|computer))\b/,
  /\b(?:(?:not|no) (?:a |the )?(?:bot|robot|chatbot|machine))\b/,
  new RegExp(String.raw`(?:^|\b)(?:e|ce) (?:un |una |qualche )?${STRONG_HUMAN}\b`),
  /\b(?:voglio|vorrei|want|need) (?:una |un |a )?(?:persona|person)(?: vera| reale| real)?$/,
  /\b(?:assistenza umana|operatore umano|human agent|human operator|live agent|live chat with)\b/,
];

const GREETING = /^(?:ciao|salve|buongiorno|buon giorno|buonasera|buona sera|buon pomeriggio|hey|hello|hi|hiya|good morning|good afternoon|good evening|ehi|ei|hola)(?: (?:dialogo|a tutti|there|everyone|comune))?$/;
const THANKS = /^(?:(?:ok |okay |perfetto |ottimo |va bene )?(?:grazie|grazie mille|mille grazie|ti ringrazio|la ringrazio|vi ringrazio|thanks|thank you|thank you very much|thanks a lot|cheers|many thanks|ok grazie|perfetto grazie)(?: mille| tante| molto| di tutto| for your help| so much)?|ok|okay|perfetto|ottimo|capito|va bene|got it|great)$/;
// "thanks, bye" and "ok grazie ciao" close a conversation: thanks before a farewell is still a farewell.
const GOODBYE = /^(?:(?:ok |okay |grazie |grazie mille |thanks |thank you |perfetto |va bene )*(?:arrivederci|a presto|ciao ciao|ciao|buona giornata|buona serata|addio|bye|goodbye|bye bye|see you|have a nice day)(?: e grazie| grazie| thanks| ciao)?)$/;
const INSULT_WORDS = String.raw`(?:stupid[oai]?|idiot[ai]?|idiot|cretin[oi]|scem[oai]|inutile|deficiente|imbecille|stronz[oai]|coglion[ei]|incapace|useless|stupid|dumb|moron|rubbish|garbage|pathetic)`;
const INSULT_PHRASES = /\b(?:fai schifo|fate schifo|che schifo|vaffanculo|fanculo|va a quel paese|vai a quel paese|stai zitto|you suck|fuck you|fuck off|screw you|shut up)\b/;
// Only short messages: "inutile" inside a question ("è inutile rinnovare la cie?") is a question.
const INSULT = new RegExp(String.raw`^(?:(?:ma |sei |tu sei |sei proprio |sei davvero |sei un |sei una |che |you are |you re |youre |you |what a |so |this |questo |bot |chatbot |e |is |un |una |a |an |veramente |really |totally |proprio )*)${INSULT_WORDS}(?: (?:bot|chatbot|robot|macchina|machine|sei|davvero|proprio))*$`);
const KEYBOARD_RUNS = ['qwer', 'asdf', 'sdfg', 'dfgh', 'fghj', 'ghjk', 'hjkl', 'zxcv', 'xcvb', 'cvbn', 'vbnm', 'uiop', 'yuio', 'tyui', 'poiu', 'lkjh', 'kjhg', 'mnbv'];

/** A keyboard mash: four or more letters without a vowel, a run of keys, or one letter repeated. */
function isMash(word: string): boolean {
  if (/\d/.test(word)) return false;
  if (word.length >= 4 && !/[aeiouy]/.test(word)) return true;
  if (/^(.)\1{2,}$/.test(word)) return true;
  return word.length >= 5 && KEYBOARD_RUNS.some((run) => word.includes(run));
}

const HELP = /^(?:aiuto|help|menu|cosa sai fare|che cosa sai fare|cosa puoi fare|come funziona|come funzioni|chi sei|what can you do|how does this work|who are you|istruzioni|start|inizia|ricomincia)$/;

/**
 * Recognises requests for a human and small talk (greeting, thanks, goodbye, help, insults,
 * keyboard mashes).
 * Returns undefined for everything else, which is then a question for the knowledge base.
 *
 * @example
 * builtInIntent('voglio parlare con un operatore') // 'handoff'
 * builtInIntent('buongiorno') // 'greeting'
 */
export function builtInIntent(normalized: string): Exclude<Intent, 'faq'> | undefined {
  if (HANDOFF_PATTERNS.some((pattern) => pattern.test(normalized))) return 'handoff';
  if (GREETING.test(normalized)) return 'greeting';
  if (THANKS.test(normalized)) return 'thanks';
  if (GOODBYE.test(normalized)) return 'goodbye';
  if (HELP.test(normalized)) return 'help';
  if (INSULT_PHRASES.test(normalized) && normalized.split(' ').length <= 6) return 'insult';
  if (INSULT.test(normalized)) return 'insult';
  const words = normalized.split(' ').filter((w) => w.length > 0);
  if (words.length > 0 && words.length <= 3 && words.every(isMash)) return 'nonsense';
  return undefined;
}

/** Greetings at the start of a question ("ciao, come rinnovo la cie?") are dropped before recognition. */
export function stripGreeting(normalized: string): string {
  return normalized.replace(/^(?:ciao|salve|buongiorno|buon giorno|buonasera|buona sera|hello|hi|hey|good morning|good afternoon|good evening)\b\s*/, '');
}
