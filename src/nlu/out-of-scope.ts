import { promises as fs } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { KnowledgeBaseError } from '../knowledge/load-knowledge-base';

export const OUT_OF_SCOPE_FILE = 'out-of-scope.yaml';

const schema = z.object({ it: z.array(z.string().trim().min(1)).min(1), en: z.array(z.string().trim().min(1)).min(1) }).strict();

/** Questions the bot must not answer from the knowledge base, per language. */
export type OutOfScopeExamples = z.infer<typeof schema>;

/**
 * Reads `knowledge-base/out-of-scope.yaml`, from which the recognizer learns where to reject.
 *
 * @example
 * const negatives = await loadOutOfScope('knowledge-base');
 */
export async function loadOutOfScope(dir: string): Promise<OutOfScopeExamples> {
  const file = path.join(dir, OUT_OF_SCOPE_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new KnowledgeBaseError([{ file: OUT_OF_SCOPE_FILE, path: '', message: `cannot read file: ${(error as Error).message}` }]);
  }
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    throw new KnowledgeBaseError(doc.errors.map((e) => ({ file: OUT_OF_SCOPE_FILE, path: '', message: `YAML: ${e.message.split('\n')[0]}` })));
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new KnowledgeBaseError(parsed.error.issues.map((i) => ({ file: OUT_OF_SCOPE_FILE, path: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}
