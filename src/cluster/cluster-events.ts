import type { WrittenRequests } from '../handoff/written-requests';
import type { HandoffService } from '../handoff/handoff-service';
import type { Logger } from '../logger';
import type { HandoffSession } from '../storage/ports';
import type { Coordinator } from './coordinator';
import type { ElectedJobs } from './elected-jobs';
import { EventRelay } from './event-relay';

/**
 * Cluster mode: the consoles on every instance hear what happens on the others, this instance's
 * index of active sessions follows the store, and the elected instance tells queued citizens
 * their positions whichever instance changed the queue.
 */
export async function wireClusterEvents(
  coordinator: Coordinator,
  handoff: HandoffService,
  requests: WrittenRequests,
  jobs: ElectedJobs,
  resyncMs: number,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  const relay = new EventRelay(coordinator, logger);
  await relay.relay(handoff, 'handoff', ['queue', 'session', 'message', 'handover', 'tickets', 'note']);
  await relay.relay(requests, 'requests', ['changed']);
  handoff.on('session', (session: HandoffSession) => handoff.observeRemote(session));
  handoff.on('queue', () => {
    if (jobs.isLeading) void handoff.announcePositions().catch((error: unknown) => logger.warn({ err: error }, 'queue positions not told'));
  });
  // The gauges read the index: reloaded from the store, since sessions change on other instances too.
  const resync = setInterval(() => void handoff.resync().catch((error: unknown) => logger.debug({ err: error }, 'handoff index not reloaded')), resyncMs);
  resync.unref();
  return {
    async stop() {
      clearInterval(resync);
      await relay.stop();
    },
  };
}
