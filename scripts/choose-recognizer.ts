// The recognizer an evaluation script is asked for, built once over the knowledge base.
import { loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { FuseBaselineRecognizer } from '../src/nlu/fuse-baseline';
import { LocalRecognizer } from '../src/nlu/local-recognizer';
import { loadOutOfScope } from '../src/nlu/out-of-scope';
import { DEFAULT_BANDS, type Recognizer } from '../src/nlu/recognizer';

/** `local-without-bayes` is the ablation of the naive Bayes model; `fuse-baseline` plain fuse.js. */
export const RECOGNIZER_NAMES = ['local', 'fuse-baseline', 'local-without-bayes'] as const;

/**
 * Loads the knowledge base from `dir` and builds the named recognizer; `answerThreshold`
 * overrides the answer band of the local recognizers (to show the accuracy/rejection trade-off).
 */
export async function chooseRecognizer(name: string, dir: string, answerThreshold?: number): Promise<Recognizer> {
  if (!(RECOGNIZER_NAMES as readonly string[]).includes(name)) {
    throw new Error(`--recognizer must be one of ${RECOGNIZER_NAMES.join(', ')}, not "${name}"`);
  }
  if (answerThreshold !== undefined && !(answerThreshold > 0 && answerThreshold < 1)) {
    throw new Error('--answer-threshold must be a number between 0 and 1');
  }
  const kb = await loadKnowledgeBase(dir);
  if (name === 'fuse-baseline') return new FuseBaselineRecognizer(kb);
  const bands = answerThreshold === undefined ? DEFAULT_BANDS : { ...DEFAULT_BANDS, answer: answerThreshold };
  return LocalRecognizer.build(kb, await loadOutOfScope(dir), { bands, bayes: name === 'local' });
}
