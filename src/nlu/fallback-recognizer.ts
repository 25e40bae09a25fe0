import type { Logger } from '../logger';
import type { LocalRecognizer } from './local-recognizer';
import { bandOf, type Recognition, type RecognizeOptions, type Recognizer, type TopicCandidate } from './recognizer';

/** A remote model that scores intents named as topic ids (CLU project, LUIS app). */
export interface RemoteIntentClient {
  readonly name: string;
  intents(text: string, signal: AbortSignal): Promise<{ name: string; score: number }[]>;
}

/**
 * A remote recognizer behind the recognizer port, with the local one as its safety net:
 * when the remote call fails, answers something unreadable, or takes longer than
 * `timeoutMs`, the local recognition answers. Requests for a human, small talk and the
 * language always come from the local recognizer: they must not depend on a network.
 *
 * @example
 * const recognizer = new FallbackRecognizer(new CluClient(settings), local, topicIds, 1500, logger);
 */
export class FallbackRecognizer implements Recognizer {
  readonly name: string;

  constructor(
    private readonly remote: RemoteIntentClient,
    private readonly local: LocalRecognizer,
    private readonly topics: ReadonlySet<string>,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.name = remote.name;
  }

  async recognize(text: string, options: RecognizeOptions = {}): Promise<Recognition> {
    const local = this.local.recognizeText(text, options);
    if (local.intent !== 'faq') return local;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const intents = await Promise.race([
        this.remote.intents(text, controller.signal),
        new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error))),
      ]);
      const candidates: TopicCandidate[] = intents
        .filter((i) => this.topics.has(i.name) && Number.isFinite(i.score))
        .map((i) => ({ topicId: i.name, confidence: Math.max(0, Math.min(1, i.score)) }))
        .sort((a, b) => b.confidence - a.confidence)
        .slice(0, 5);
      // The remote service ranks topics; whether the message is municipal at all stays the local model's call.
      const outOfScope = local.outOfScope === undefined ? {} : { outOfScope: local.outOfScope };
      return { text, language: local.language, intent: 'faq', candidates, band: bandOf(candidates), ...outOfScope, recognizer: this.name };
    } catch (error) {
      this.logger.warn({ err: error, recognizer: this.name }, 'remote recognizer failed; the local recognizer answered');
      return { ...local, recognizer: `local (${this.name} failed)` };
    } finally {
      clearTimeout(timer);
    }
  }
}
