import Fuse from 'fuse.js';
import type { RecognitionSource } from '../knowledge/knowledge-base';
import { bandOf, type Recognition, type Recognizer } from './recognizer';

/**
 * The baseline every gain is measured against: plain fuse.js over every sample question,
 * with its default options, and the best match's topic as the answer. It has no notion of
 * out-of-scope beyond fuse.js's own threshold and knows no requests for a human.
 * For evaluation only: it scans every sample on every query.
 *
 * @example
 * const baseline = new FuseBaselineRecognizer(kb);
 * await baseline.recognize('carta identita');
 */
export class FuseBaselineRecognizer implements Recognizer {
  readonly name = 'fuse-baseline';
  private readonly fuse: Fuse<{ topicId: string; text: string }>;

  constructor(kb: RecognitionSource) {
    const entries = kb.entries.flatMap((t) => [...t.samples.it, ...t.samples.en].map((text) => ({ topicId: t.id, text })));
    this.fuse = new Fuse(entries, { keys: ['text'], includeScore: true });
  }

  async recognize(text: string): Promise<Recognition> {
    // Every hit under fuse.js's default threshold counts as a match: the best one is the answer.
    const [best] = this.fuse.search(text, { limit: 1 });
    const candidates = best ? [{ topicId: best.item.topicId, confidence: 1 }] : [];
    return { text, language: 'it', intent: 'faq', candidates, band: bandOf(candidates), recognizer: this.name };
  }
}
