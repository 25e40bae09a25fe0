// The knowledge base's build worker (issue 16): reads and validates a folder and trains the
// recognizer's models off the main thread, then hands back what is cheap to rebuild there
// (recognizer-build-protocol.ts). One worker per build; the main side ends it afterwards.
import { parentPort, workerData } from 'node:worker_threads';
import { loadKnowledgeBase, KnowledgeBaseError } from '../knowledge/load-knowledge-base';
import { trainModels } from './local-recognizer';
import { modelCacheFromEnv } from './model-cache';
import { loadOutOfScope } from './out-of-scope';
import { TOPICS_PER_MESSAGE, type BuildRequest, type WorkerMessage } from './recognizer-build-protocol';

const port = parentPort;

async function build(request: BuildRequest): Promise<void> {
  if (!port) return;
  if (request.hold) Atomics.wait(new Int32Array(request.hold), 0, 0);
  if (request.crash) {
    setImmediate(() => {
      throw new Error('crash asked for by a test');
    });
    return;
  }
  const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    const [kb, outOfScope] = await Promise.all([loadKnowledgeBase(request.dir), loadOutOfScope(request.dir)]);
    const { chars, calibrator } = trainModels(kb, outOfScope, { modelCache: modelCacheFromEnv() });
    const snapshot = chars.toSnapshot();
    // The weights go across as a transfer, not a copy. The model cache may keep the array it
    // returned (it does not today): copying first keeps the transfer from detaching it.
    const weights = new Float32Array(snapshot.weights);
    const topics = kb.topics;
    send(
      {
        type: 'built',
        topicCount: topics.length,
        synonyms: kb.synonyms,
        referrals: kb.referrals,
        communications: kb.calendar.communications,
        outOfScope,
        chars: { labels: snapshot.labels, always: snapshot.always, weights },
        calibrator: { weights: calibrator.weights, bias: calibrator.bias },
      },
      [weights.buffer as ArrayBuffer],
    );
    // Topics go in small batches, each asked for by the main thread: each batch is deserialised
    // there in a task of its own, never the whole knowledge base in one go.
    let next = 0;
    port.on('message', (message: unknown) => {
      if (message !== 'next') return;
      send({ type: 'topics', topics: topics.slice(next, next + TOPICS_PER_MESSAGE) });
      next += TOPICS_PER_MESSAGE;
    });
  } catch (error) {
    if (error instanceof KnowledgeBaseError) send({ type: 'invalid', problems: error.problems });
    else send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

void build(workerData as BuildRequest);
