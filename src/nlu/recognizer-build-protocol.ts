import { z } from 'zod';
import type { Communication } from '../knowledge/communication-schema';
import type { KnowledgeBaseProblem } from '../knowledge/editor-messages';
import type { Referral } from '../knowledge/referral-schema';
import type { Synonyms, Topic } from '../knowledge/topic-schema';
import type { OutOfScopeExamples } from './out-of-scope';

/** Topics per message from the build worker: small enough to deserialise within a turn's slack. */
export const TOPICS_PER_MESSAGE = 20;

/** What the main thread asks of the build worker (its `workerData`). */
export interface BuildRequest {
  /** The knowledge-base folder to load and train on. */
  readonly dir: string;
  /** Tests: the worker waits until the first 32-bit slot of this buffer is no longer 0. */
  readonly hold?: SharedArrayBuffer;
  /** Tests: the worker dies of an uncaught error before building, as a crashing worker would. */
  readonly crash?: boolean;
}

/** What the build worker answers: the built parts, its topics in batches, or why it failed. */
export type WorkerMessage =
  | {
      readonly type: 'built';
      readonly topicCount: number;
      readonly synonyms: Synonyms;
      readonly referrals: readonly Referral[];
      readonly communications: readonly Communication[];
      readonly outOfScope: OutOfScopeExamples;
      readonly chars: { readonly labels: readonly string[]; readonly always: string | null; readonly weights: Float32Array };
      readonly calibrator: { readonly weights: readonly number[]; readonly bias: number };
    }
  | { readonly type: 'topics'; readonly topics: readonly Topic[] }
  | { readonly type: 'invalid'; readonly problems: readonly KnowledgeBaseProblem[] }
  | { readonly type: 'failed'; readonly message: string };

// By tag, not instanceof: under jest the message is deserialised in another realm than the test's.
const float32Array = z.custom<Float32Array>((value) => Object.prototype.toString.call(value) === '[object Float32Array]', 'expected a Float32Array');

const problem = z.object({
  file: z.string(),
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  messageIt: z.string().optional(),
});

// The envelope of every message is checked here. The knowledge base's content inside it (topics,
// synonyms, referrals, communications, out-of-scope examples) was validated by the worker with the
// same schemas of the same build, so it is taken as those types rather than parsed a second
// time on the main thread, which is the cost the worker exists to take away.
const message = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('built'),
    topicCount: z.number().int().nonnegative(),
    synonyms: z.object({ groups: z.array(z.array(z.string())) }).loose(),
    referrals: z.array(z.unknown()),
    communications: z.array(z.unknown()),
    outOfScope: z.object({ it: z.array(z.string()), en: z.array(z.string()) }),
    chars: z.object({ labels: z.array(z.string()), always: z.string().nullable(), weights: float32Array }),
    calibrator: z.object({ weights: z.array(z.number()), bias: z.number() }),
  }),
  z.object({ type: z.literal('topics'), topics: z.array(z.object({ id: z.string() }).loose()) }),
  z.object({ type: z.literal('invalid'), problems: z.array(problem) }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);

/**
 * A message of the build worker, checked; throws naming what is wrong when it is not one.
 *
 * @example
 * const m = parseWorkerMessage(data); // { type: 'invalid', problems: [...] }
 */
export function parseWorkerMessage(data: unknown): WorkerMessage {
  const result = message.safeParse(data);
  if (!result.success) throw new Error(`knowledge base build worker: unexpected message (${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return result.data as WorkerMessage;
}
