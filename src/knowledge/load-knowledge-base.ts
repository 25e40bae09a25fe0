import { promises as fs } from 'node:fs';
import path from 'node:path';
import YAML, { LineCounter } from 'yaml';
import type { z } from 'zod';
import { editorLines, formatPath, italianIssue, italianYamlError, lineOf, type KnowledgeBaseProblem } from './editor-messages';
import { communicationsFileSchema, type Communication } from './communication-schema';
import { KnowledgeBase } from './knowledge-base';
import { referralsFileSchema, type Referral } from './referral-schema';
import { synonymsSchema, topicSchema, type Synonyms, type Topic } from './topic-schema';

export type { KnowledgeBaseProblem } from './editor-messages';

/**
 * Raised when the knowledge base cannot be loaded; lists every problem found, not only the first.
 * Its message is for the editors (Italian, with file, line and field); `developerMessage` keeps
 * the English one.
 */
export class KnowledgeBaseError extends Error {
  constructor(readonly problems: readonly KnowledgeBaseProblem[]) {
    super(
      `La base di conoscenza non è valida (${problems.length} ${problems.length === 1 ? 'problema' : 'problemi'}):\n` +
        editorLines(problems).map((line) => `  ${line}`).join('\n'),
    );
    this.name = 'KnowledgeBaseError';
  }

  /** The problems in English, for developers: file, field path, schema message. */
  get developerMessage(): string {
    const { problems } = this;
    return (
      `Knowledge base is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  ${p.file}${p.line ? `:${p.line}` : ''}${p.path ? ` at ${p.path}` : ''}: ${p.message}`).join('\n')
    );
  }
}

export const TOPICS_FOLDER = 'topics';
export const SYNONYMS_FILE = 'synonyms.yaml';
/** Optional: matters of other administrations. */
export const REFERRALS_FILE = 'referrals.yaml';
/** Optional: the city's communications calendar (no file, no communications). */
export const COMMUNICATIONS_FILE = 'communications.yaml';

/**
 * Reads and validates `dir/topics/*.yaml` and `dir/synonyms.yaml`.
 * Throws {@link KnowledgeBaseError} naming each bad file, field path and problem.
 *
 * @example
 * const kb = await loadKnowledgeBase('knowledge-base');
 */
export async function loadKnowledgeBase(dir: string): Promise<KnowledgeBase> {
  const problems: KnowledgeBaseProblem[] = [];
  const topicsDir = path.join(dir, TOPICS_FOLDER);
  let names: string[];
  try {
    names = (await fs.readdir(topicsDir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    const reason = (error as Error).message;
    throw new KnowledgeBaseError([{ file: topicsDir, path: '', message: `cannot read folder: ${reason}`, messageIt: `non riesco a leggere la cartella (${reason})` }]);
  }
  if (names.length === 0) problems.push({ file: topicsDir, path: '', message: 'no topic files (*.yaml)', messageIt: 'la cartella non contiene nessun argomento (file .yaml)' });

  const topics: Topic[] = [];
  const fileOfId = new Map<string, string>();
  for (const name of names) {
    const file = path.join(TOPICS_FOLDER, name);
    const parsed = parseFile(await readText(path.join(dir, file), file, problems), file, topicSchema, problems);
    if (!parsed) continue;
    const { data: topic, idLine: line } = parsed;
    const expectedId = name.replace(/\.ya?ml$/, '');
    if (topic.id !== expectedId) {
      problems.push({
        file, path: 'id', line,
        message: `id "${topic.id}" must equal the file name "${expectedId}"`,
        messageIt: `l'id «${topic.id}» deve essere uguale al nome del file («${expectedId}»): correggi l'id o rinomina il file`,
      });
      continue;
    }
    const other = fileOfId.get(topic.id);
    if (other) {
      problems.push({ file, path: 'id', line, message: `id "${topic.id}" is already used by ${other}`, messageIt: `l'id «${topic.id}» è già usato da ${other}` });
      continue;
    }
    fileOfId.set(topic.id, file);
    topics.push(topic);
  }

  const synonyms = parseFile(await readText(path.join(dir, SYNONYMS_FILE), SYNONYMS_FILE, problems), SYNONYMS_FILE, synonymsSchema, problems);
  const referrals = await loadReferrals(dir, fileOfId, problems);
  // A topic whose file is there but broken is reported once, on its own file, not again here.
  const communications = await loadCommunications(dir, new Set(names.map((name) => name.replace(/\.ya?ml$/, ''))), problems);
  if (problems.length > 0 || !synonyms) throw new KnowledgeBaseError(problems);
  return new KnowledgeBase(topics, synonyms.data as Synonyms, { referrals, communications });
}

/** `referrals.yaml` when the folder has one; its ids must not be topics' ids. */
async function loadReferrals(dir: string, fileOfId: ReadonlyMap<string, string>, problems: KnowledgeBaseProblem[]): Promise<Referral[]> {
  const fullPath = path.join(dir, REFERRALS_FILE);
  const exists = await fs.stat(fullPath).then(() => true, () => false);
  if (!exists) return [];
  const parsed = parseFile(await readText(fullPath, REFERRALS_FILE, problems), REFERRALS_FILE, referralsFileSchema, problems);
  if (!parsed) return [];
  const referrals: Referral[] = [];
  for (const referral of parsed.data.referrals) {
    const topicFile = fileOfId.get(referral.id);
    if (topicFile) {
      problems.push({
        file: REFERRALS_FILE, path: 'referrals', message: `referral id "${referral.id}" is already the id of ${topicFile}`,
        messageIt: `l'id «${referral.id}» è già usato dall'argomento ${topicFile}: scegli un id diverso per il rinvio`,
      });
      continue;
    }
    referrals.push(referral);
  }
  return referrals;
}

/**
 * `communications.yaml` when the folder has one. Every topic a communication names must be a topic
 * of the folder: a notice promised to a topic that does not exist would never be shown.
 */
async function loadCommunications(dir: string, topicIds: ReadonlySet<string>, problems: KnowledgeBaseProblem[]): Promise<Communication[]> {
  const fullPath = path.join(dir, COMMUNICATIONS_FILE);
  const exists = await fs.stat(fullPath).then(() => true, () => false);
  if (!exists) return [];
  const parsed = parseFile(await readText(fullPath, COMMUNICATIONS_FILE, problems), COMMUNICATIONS_FILE, communicationsFileSchema, problems);
  if (!parsed) return [];
  const { data, lineAt } = parsed;
  data.communications.forEach((c, i) =>
    c.topics.forEach((topicId, j) => {
      if (topicIds.has(topicId)) return;
      problems.push({
        file: COMMUNICATIONS_FILE, path: formatPath(['communications', i, 'topics', j]), line: lineAt(['communications', i, 'topics', j]),
        message: `communication "${c.id}" names topic "${topicId}", which is not a topic of the knowledge base`,
        messageIt: `la comunicazione «${c.id}» cita l'argomento «${topicId}», che non esiste: scrivi l'id di un file di topics/`,
      });
    }),
  );
  return data.communications;
}

/**
 * Reads and validates one YAML file of the knowledge base folder against its schema, for the
 * files other modules own (out-of-scope examples...): the same Italian messages with lines.
 * Throws {@link KnowledgeBaseError}.
 *
 * @example
 * const examples = await readYamlFile('knowledge-base', 'out-of-scope.yaml', outOfScopeSchema);
 */
export async function readYamlFile<S extends z.ZodType>(dir: string, file: string, schema: S): Promise<z.output<S>> {
  const problems: KnowledgeBaseProblem[] = [];
  const parsed = parseFile(await readText(path.join(dir, file), file, problems), file, schema, problems);
  if (!parsed) throw new KnowledgeBaseError(problems);
  return parsed.data;
}

async function readText(fullPath: string, file: string, problems: KnowledgeBaseProblem[]): Promise<string | undefined> {
  try {
    return await fs.readFile(fullPath, 'utf8');
  } catch (error) {
    const reason = (error as Error).message;
    problems.push({ file, path: '', message: `cannot read file: ${reason}`, messageIt: `non riesco a leggere il file (${reason})` });
    return undefined;
  }
}

/**
 * Parses one YAML file against its schema. Problems carry the line of the field (YAML positions
 * mapped from the schema's field path) and the editors' Italian besides the English message.
 */
function parseFile<S extends z.ZodType>(
  text: string | undefined,
  file: string,
  schema: S,
  problems: KnowledgeBaseProblem[],
): { data: z.output<S>; idLine: number | undefined; lineAt: (at: readonly PropertyKey[]) => number | undefined } | undefined {
  if (text === undefined) return undefined;
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0];
      problems.push({
        file, path: '',
        ...(line ? { line: line.line } : {}),
        message: `YAML${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${error.message.split('\n')[0]}`,
        messageIt: italianYamlError(error),
      });
    }
    return undefined;
  }
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const found = result.error.issues.map((issue): KnowledgeBaseProblem => {
      // An unknown key is reported on its parent; the editor needs the key's own line and name.
      const at = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
      return { file, path: formatPath(at), line: lineOf(doc, lines, at), message: issue.message, messageIt: italianIssue(issue, doc) };
    });
    // In the order of the file, as the editor reads it (the schema's order is the fields').
    problems.push(...found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
    return undefined;
  }
  return { data: result.data, idLine: lineOf(doc, lines, ['id']), lineAt: (at) => lineOf(doc, lines, at) };
}
