import { promises as fs } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { KnowledgeBase } from './knowledge-base';
import { synonymsSchema, topicSchema, type Synonyms, type Topic } from './topic-schema';

/** One thing wrong with one knowledge-base file. */
export interface KnowledgeBaseProblem {
  readonly file: string;
  /** Field path inside the file, such as `samples.it[3]`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** Raised when the knowledge base cannot be loaded; lists every problem found, not only the first. */
export class KnowledgeBaseError extends Error {
  constructor(readonly problems: readonly KnowledgeBaseProblem[]) {
    super(
      `Knowledge base is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}`).join('\n'),
    );
    this.name = 'KnowledgeBaseError';
  }
}

export const TOPICS_FOLDER = 'topics';
export const SYNONYMS_FILE = 'synonyms.yaml';

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
    throw new KnowledgeBaseError([{ file: topicsDir, path: '', message: `cannot read folder: ${(error as Error).message}` }]);
  }
  if (names.length === 0) problems.push({ file: topicsDir, path: '', message: 'no topic files (*.yaml)' });

  const topics: Topic[] = [];
  const fileOfId = new Map<string, string>();
  for (const name of names) {
    const file = path.join(TOPICS_FOLDER, name);
    const topic = parseFile(await readText(path.join(dir, file), file, problems), file, topicSchema, problems);
    if (!topic) continue;
    const expectedId = name.replace(/\.ya?ml$/, '');
    if (topic.id !== expectedId) {
      problems.push({ file, path: 'id', message: `id "${topic.id}" must equal the file name "${expectedId}"` });
      continue;
    }
    const other = fileOfId.get(topic.id);
    if (other) {
      problems.push({ file, path: 'id', message: `id "${topic.id}" is already used by ${other}` });
      continue;
    }
    fileOfId.set(topic.id, file);
    topics.push(topic);
  }

  const synonyms = parseFile(await readText(path.join(dir, SYNONYMS_FILE), SYNONYMS_FILE, problems), SYNONYMS_FILE, synonymsSchema, problems);
  if (problems.length > 0 || !synonyms) throw new KnowledgeBaseError(problems);
  return new KnowledgeBase(topics, synonyms as Synonyms);
}

async function readText(fullPath: string, file: string, problems: KnowledgeBaseProblem[]): Promise<string | undefined> {
  try {
    return await fs.readFile(fullPath, 'utf8');
  } catch (error) {
    problems.push({ file, path: '', message: `cannot read file: ${(error as Error).message}` });
    return undefined;
  }
}

function parseFile<S extends z.ZodType>(
  text: string | undefined,
  file: string,
  schema: S,
  problems: KnowledgeBaseProblem[],
): z.output<S> | undefined {
  if (text === undefined) return undefined;
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0];
      problems.push({ file, path: line ? `line ${line.line}, column ${line.col}` : '', message: `YAML: ${error.message.split('\n')[0]}` });
    }
    return undefined;
  }
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    for (const issue of result.error.issues) problems.push({ file, path: formatPath(issue.path), message: issue.message });
    return undefined;
  }
  return result.data;
}

function formatPath(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}
