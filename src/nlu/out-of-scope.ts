import { z } from 'zod';
import { readYamlFile } from '../knowledge/load-knowledge-base';

export const OUT_OF_SCOPE_FILE = 'out-of-scope.yaml';

const schema = z.object({ it: z.array(z.string().trim().min(1)).min(1), en: z.array(z.string().trim().min(1)).min(1) }).strict();

/** Questions the bot must not answer from the knowledge base, per language. */
export type OutOfScopeExamples = z.infer<typeof schema>;

/**
 * Reads `knowledge-base/out-of-scope.yaml`, from which the recognizer learns where to reject.
 * A bad file throws a KnowledgeBaseError naming line and field, as for topics.
 *
 * @example
 * const negatives = await loadOutOfScope('knowledge-base');
 */
export async function loadOutOfScope(dir: string): Promise<OutOfScopeExamples> {
  return readYamlFile(dir, OUT_OF_SCOPE_FILE, schema);
}
