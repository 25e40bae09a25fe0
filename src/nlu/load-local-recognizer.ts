import type { KnowledgeBase } from '../knowledge/knowledge-base';
import { loadKnowledgeBase } from '../knowledge/load-knowledge-base';
import { LocalRecognizer } from './local-recognizer';
import { loadOutOfScope } from './out-of-scope';

/**
 * Loads the knowledge base from `dir` and builds the local recognizer over it: what start-up,
 * a reload, the evaluation scripts and the tests all do.
 *
 * @example
 * const { kb, recognizer } = await loadLocalRecognizer('knowledge-base');
 */
export async function loadLocalRecognizer(dir: string): Promise<{ kb: KnowledgeBase; recognizer: LocalRecognizer }> {
  const [kb, outOfScope] = await Promise.all([loadKnowledgeBase(dir), loadOutOfScope(dir)]);
  return { kb, recognizer: LocalRecognizer.build(kb, outOfScope) };
}
