import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLError } from 'yaml';
import type { z } from 'zod';

/** One thing wrong with one knowledge-base file. */
export interface KnowledgeBaseProblem {
  readonly file: string;
  /** Field path inside the file, such as `samples.it[3]`; empty for the whole file. */
  readonly path: string;
  /** The developer's message, in English. */
  readonly message: string;
  /** 1-based line of the field (or of the nearest enclosing field present) in the file. */
  readonly line?: number;
  /** The same problem in the editors' words, in Italian. */
  readonly messageIt?: string;
}

/**
 * A problem as an editor reads it: file, line, field, then what is wrong in Italian (the English
 * message when no Italian one was written, as for problems raised outside the loader).
 *
 * @example
 * editorLine({ file: 'topics/imu.yaml', line: 12, path: 'answer.en', message: '...', messageIt: 'manca la risposta in inglese' });
 * // 'topics/imu.yaml, riga 12, campo answer.en: manca la risposta in inglese'
 */
export function editorLine(problem: KnowledgeBaseProblem): string {
  const where = [problem.file, problem.line ? `riga ${problem.line}` : '', problem.path ? `campo ${problem.path}` : ''].filter(Boolean).join(', ');
  return `${where}: ${problem.messageIt ?? problem.message}`;
}

/** {@link editorLine} for each problem, in order. */
export function editorLines(problems: readonly KnowledgeBaseProblem[]): string[] {
  return problems.map(editorLine);
}

/** Writes a field path the way editors see it in the file: `samples.it[3]`. */
export function formatPath(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

/**
 * The line of the field at `path` in a parsed YAML document; when the field is missing, the line
 * of the nearest enclosing field that is there (for a missing `answer.en`, the `answer:` line).
 * Undefined when not even the first key is present.
 */
export function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const part of path) {
    let next: unknown;
    let start: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      start = (pair.key as Node).range?.[0];
      next = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      start = item.range?.[0];
      next = item;
    } else {
      break;
    }
    if (start !== undefined) line = lines.linePos(start).line;
    node = next;
  }
  return line;
}

const FIELD_NAMES: Readonly<Record<string, string>> = {
  id: "l'id",
  title: 'il titolo',
  samples: 'le domande di esempio',
  answer: 'la risposta',
  link: 'il link alla pagina ufficiale',
  next: 'il passo successivo (next)',
  channel: 'il canale',
  url: "l'indirizzo web",
  label: 'il testo del pulsante',
  escalate: 'il campo escalate',
  owner: "l'ufficio responsabile (owner)",
  sources: 'le fonti',
  date: 'la data',
  lastReviewed: "la data dell'ultima revisione (lastReviewed)",
  reviewBy: 'la data entro cui rivedere (reviewBy)',
  editorNote: 'la nota per la redazione',
  homePageOnly: 'il segno «solo home page» (homePageOnly)',
  reason: 'il motivo',
  groups: 'i gruppi di sinonimi',
  shortTitle: 'il titolo breve dei pulsanti (shortTitle)',
  facets: 'le risposte specifiche (facets)',
  linkLabel: 'il testo del link (linkLabel)',
  who: "l'ente competente (who)",
  referrals: 'i rinvii ad altri enti (referrals)',
};
const LANGUAGE_NAMES: Readonly<Record<string, string>> = { it: 'in italiano', en: 'in inglese' };

/** "la risposta in inglese" for `answer.en`; the bare field name for a field this table does not know. */
function fieldName(path: readonly PropertyKey[]): string {
  const keys = path.filter((part): part is string => typeof part === 'string');
  const last = keys[keys.length - 1];
  if (last === undefined) return 'il contenuto del file';
  const language = LANGUAGE_NAMES[last];
  const owner = language ? keys[keys.length - 2] : last;
  const name = owner === undefined ? 'il testo' : (FIELD_NAMES[owner] ?? `il campo «${owner}»`);
  return language ? `${name} ${language}` : name;
}

const ITEM_NAMES: Readonly<Record<string, string>> = {
  samples: 'domande di esempio',
  sources: 'fonti',
  groups: 'gruppi di sinonimi',
  facets: 'risposte specifiche (facets)',
  referrals: 'rinvii ad altri enti',
};

/** "domande di esempio in italiano" for `samples.it`: what the entries of a list are. */
function itemsName(path: readonly PropertyKey[]): string {
  const keys = path.filter((part): part is string => typeof part === 'string');
  const last = keys[keys.length - 1];
  const language = last === undefined ? undefined : LANGUAGE_NAMES[last];
  const owner = language ? keys[keys.length - 2] : last;
  const name = owner === undefined ? 'voci' : (ITEM_NAMES[owner] ?? 'voci');
  return language ? `${name} ${language}` : name;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'un testo',
  array: "un elenco (una voce per riga, che inizia con «- »)",
  object: 'una sezione, con i suoi campi rientrati sotto',
  boolean: 'true oppure false',
  number: 'un numero',
  date: 'una data AAAA-MM-GG',
};

function quoted(value: unknown): string {
  return `«${String(value)}»`;
}

/**
 * A schema issue in the editors' words. Reads the document for what the issue does not carry
 * (whether the field is there at all, how many samples there are, how long the text is), so
 * that the message says what to do, not which validator failed.
 */
export function italianIssue(issue: z.core.$ZodIssue, doc: Document): string {
  const path = issue.path;
  const present = path.length === 0 || doc.hasIn(path);
  const value: unknown = present && path.length > 0 ? doc.getIn(path) : undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (!present) return `manca ${fieldName(path)}`;
      return `${fieldName(path)} deve essere ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'array') {
        const list = doc.getIn(path, true);
        const count = isSeq(list) ? list.items.length : 0;
        if (Number(issue.minimum) === 1) return `l'elenco è vuoto: aggiungi almeno una voce`;
        return `servono almeno ${String(issue.minimum)} ${itemsName(path)}: ora ce ne sono ${count}`;
      }
      if (issue.origin === 'string') return `scrivi ${fieldName(path)}: ora il campo è vuoto`;
      return `${fieldName(path)} deve valere almeno ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') {
        const length = typeof value === 'string' ? value.trim().length : undefined;
        return `${fieldName(path)} può avere al massimo ${String(issue.maximum)} caratteri${length === undefined ? '' : `: ora ne ha ${length}`}`;
      }
      return `al massimo ${String(issue.maximum)} ${itemsName(path)}`;
    case 'invalid_format':
      if (issue.format === 'url') return `${quoted(value)} non è un indirizzo web valido: scrivilo intero, a partire da https://`;
      if (path[path.length - 1] === 'id') return `l'id ${quoted(value)} può contenere solo lettere minuscole, cifre e trattini (per esempio carta-identita)`;
      return `${fieldName(path)} non ha il formato atteso`;
    case 'invalid_value':
      return `${quoted(value)} non è un valore ammesso: usa uno tra ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `campo sconosciuto ${issue.keys.map(quoted).join(', ')}: controlla come è scritto il nome e che sia rientrato sotto la sezione giusta`;
    case 'custom':
      if (/is reserved for the topic's overview/.test(issue.message)) return `${quoted(value)} è un nome riservato alla scheda generale del tema: dai alla risposta specifica un altro id`;
      if (/used twice/.test(issue.message)) return `${quoted(value)} è già l'id di un'altra voce dello stesso elenco: ogni id deve essere diverso`;
      if (/date/i.test(issue.message)) return `${quoted(value instanceof Date ? value.toISOString().slice(0, 10) : value)} non è una data valida: scrivila come AAAA-MM-GG, per esempio 2026-11-29`;
      return `${fieldName(path)} non è valido (${issue.message})`;
    default:
      return `${fieldName(path)} non è valido (${issue.message})`;
  }
}

const UNCLOSED = 'una parentesi [ o { o delle virgolette aperte prima di questo punto non sono mai chiuse';
const YAML_ERRORS: Partial<Record<YAMLError['code'], string>> = {
  DUPLICATE_KEY: 'questo campo compare due volte nella stessa sezione: tienine uno solo',
  TAB_AS_INDENT: 'rientro fatto con il tasto Tab: usa gli spazi',
  BAD_INDENT: 'rientro sbagliato: allinea il campo agli altri della stessa sezione',
  MISSING_CHAR: UNCLOSED,
  BLOCK_AS_IMPLICIT_KEY: 'due punti di troppo o rientro sbagliato: un testo che contiene «: » va tra virgolette, e i campi della stessa sezione vanno allineati',
  MULTILINE_IMPLICIT_KEY: 'un campo è spezzato su più righe: controlla il rientro (un testo lungo va dopo «>-»)',
  UNEXPECTED_TOKEN: 'carattere inatteso: controlla i due punti, i trattini e le virgolette',
  BAD_SCALAR_START: 'un testo non può iniziare con questo carattere: mettilo tra virgolette',
};

/** A YAML syntax error in the editors' words. */
export function italianYamlError(error: YAMLError): string {
  // The parser files an unclosed [ or { under indentation, at the end of the file.
  const text = error.code === 'BAD_INDENT' && /end with a [\]}]/.test(error.message) ? UNCLOSED : YAML_ERRORS[error.code];
  return `errore di scrittura YAML: ${text ?? 'controlla rientri, due punti, trattini e virgolette'}`;
}
