import type { Coordinator, Election } from '../cluster/coordinator';
import type { EventTail } from './event-tail';

/** The election role of the instance that aggregates the analytics in cluster mode. */
export const ANALYTICS_ROLE = 'analytics';

/** What the composition root keeps of the cluster's analytics. */
export interface ClusterAnalytics {
  /** The dashboard's refresh: a catch-up when this instance leads, else nothing (the leader's timer runs). */
  refresh(): Promise<void>;
  /**
   * At shutdown, after the recorder has drained: the leader reads and writes what is left,
   * then every instance leaves the election (another instance takes over from the checkpoint).
   */
  close(): Promise<void>;
}

export interface ClusterAnalyticsOptions {
  /** Where a failed lead or step-down goes; a failed lead is retried while this instance is elected. */
  readonly onError?: (error: unknown) => void;
  /** Pause before retrying a failed lead (5 s unless set). */
  readonly retryMs?: number;
}

/**
 * Campaigns for {@link ANALYTICS_ROLE} and drives the tail with the result: `lead()` when
 * elected (retried while elected if the checkpoint cannot be read, the store being down),
 * `stepDown()` when not. In cluster mode no instance aggregates its own turns: the leader's
 * tail reads every instance's events from the store.
 *
 * @example
 * const tail = new EventTail(backend.events, backend.rollups, { onError: warn });
 * const analytics = electAnalyticsLeader(coordinator, tail, { onError: warn });
 * mountAnalyticsApi(server, { ..., refresh: () => analytics.refresh() });
 * // at shutdown, after recorder.drain(...)
 * await analytics.close();
 */
export function electAnalyticsLeader(coordinator: Coordinator, tail: EventTail, options: ClusterAnalyticsOptions = {}): ClusterAnalytics {
  const report = (error: unknown) => options.onError?.(error);
  let retry: NodeJS.Timeout | undefined;
  // Assigned once elect returns; a coordinator answers after that (over the network, or on the next tick).
  let election: Election | undefined;
  const tryLead = (): void => {
    retry = undefined;
    tail.lead().catch((error: unknown) => {
      report(error);
      if (election?.isLeader() && !retry) {
        retry = setTimeout(tryLead, options.retryMs ?? 5000);
        retry.unref();
      }
    });
  };
  election = coordinator.elect(ANALYTICS_ROLE, (leading) => {
    if (leading) {
      tryLead();
      return;
    }
    if (retry) clearTimeout(retry);
    retry = undefined;
    tail.stepDown().catch(report);
  });
  return {
    refresh: () => (tail.leading ? tail.catchUp() : Promise.resolve()),
    async close() {
      if (retry) clearTimeout(retry);
      retry = undefined;
      if (tail.leading) await tail.catchUp().catch(report);
      await election?.resign();
      await tail.stepDown();
    },
  };
}
