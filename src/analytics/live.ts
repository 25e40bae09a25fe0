import { z } from 'zod';
import type { RollupStore } from '../storage/ports';
import { CounterSums, n, resolved } from './counter-sums';
import { romeDay } from './rome-day';

/**
 * What the live view reads of the handoff core (src/handoff/handoff-service.ts satisfies it): the
 * active sessions with their waits, and the operators' presence. In cluster mode both are the
 * cluster's (the queue is read from the store, the presence is shared).
 */
export interface LiveHandoffView {
  queue(): Promise<readonly { readonly session: { readonly state: string; readonly operator?: string }; readonly waitingSec: number }[]>;
  onlineOperators(): string[];
  readonly presence: { get(name: string): { readonly status: 'available' | 'busy' | 'away' } };
}

export interface LiveSources {
  readonly rollups: Pick<RollupStore, 'range' | 'loadCheckpoint'>;
  /**
   * Open conversations begun on a day, when this process counts them itself (its own
   * aggregator): then the checkpoint is not read back from the store. Absent (cluster mode, where
   * the elected instance counts), the checkpoint is read.
   */
  readonly openBeganOn?: (day: string) => number;
  /** Absent when no handoff core runs: the queue and operators read null. */
  readonly handoff?: LiveHandoffView;
  readonly now: () => Date;
}

/** Today so far, the queue and the operators, at one moment (docs/metrics.md, "Live"). */
export interface LiveFigures {
  /** When it was read (ISO 8601) and the Europe/Rome day it covers. */
  at: string;
  day: string;
  today: {
    /** Conversations begun today: `ended` plus `inProgress`. */
    conversations: number;
    /** Begun today and not ended yet (no 30 minutes of silence): their outcome is still open. */
    inProgress: number;
    /** Ended conversations of today, and their outcomes (as in the monthly table). */
    ended: number;
    engaged: number;
    resolved: number;
    referred: number;
    escalated: number;
    abandoned: number;
    tickets: number;
    unresolved: number;
    /** Handoff steps of today, counted as they happen (so a conversation still open is in them). */
    handoffs: { queued: number; answered: number; abandoned: number; tickets: number };
  };
  queue: { waiting: number; longestWaitSec: number | null; withOperator: number } | null;
  operators: { online: number; available: number; busy: number; inConversation: number } | null;
}

/**
 * What the live view needs of the aggregator's checkpoint (src/analytics/aggregator.ts saves its
 * open conversations there with every write, so a restart continues them): when each open
 * conversation began. Read loosely, so that the checkpoint can grow fields without breaking it.
 */
const openSessionsSchema = z.object({ sessions: z.array(z.object({ first: z.number() })) });

/**
 * Reads today's figures so far: the ended conversations from the rollups, the ones in progress
 * from the aggregator (`openBeganOn`) or, in cluster mode, from its checkpoint (the elected
 * instance writes it every 5 seconds), the queue and the operators from the handoff
 * core. An unreadable checkpoint counts no conversation in progress rather than failing the view.
 *
 * @example
 * const live = await liveFigures({ rollups: backend.rollups, handoff, now: () => new Date() });
 * live.today.conversations === live.today.ended + live.today.inProgress; // true
 */
export async function liveFigures(sources: LiveSources): Promise<LiveFigures> {
  const now = sources.now();
  const day = romeDay(now.getTime());
  const [rows, inProgress, queue] = await Promise.all([sources.rollups.range(day, day), sources.openBeganOn?.(day) ?? checkpointBeganOn(sources.rollups, day), sources.handoff?.queue()]);
  const c = new CounterSums(rows).sum(rows);
  const ended = n(c, 'conversations');
  return {
    at: now.toISOString(),
    day,
    today: {
      conversations: ended + inProgress,
      inProgress,
      ended,
      engaged: n(c, 'engaged'),
      resolved: resolved(c),
      referred: n(c, 'referred'),
      escalated: n(c, 'escalated'),
      abandoned: n(c, 'abandoned'),
      tickets: n(c, 'tickets'),
      unresolved: n(c, 'unresolved'),
      handoffs: { queued: n(c, 'handoffsQueued'), answered: n(c, 'handoffsAnswered'), abandoned: n(c, 'handoffsAbandoned'), tickets: n(c, 'ticketsCreated') },
    },
    queue: queue ? queueFigures(queue) : null,
    operators: sources.handoff && queue ? operatorFigures(sources.handoff, queue) : null,
  };
}

async function checkpointBeganOn(rollups: Pick<RollupStore, 'loadCheckpoint'>, day: string): Promise<number> {
  const open = openSessionsSchema.safeParse(await rollups.loadCheckpoint());
  return open.success ? open.data.sessions.filter((s) => romeDay(s.first) === day).length : 0;
}

function queueFigures(entries: Awaited<ReturnType<LiveHandoffView['queue']>>): NonNullable<LiveFigures['queue']> {
  const waiting = entries.filter((e) => e.session.state === 'queued');
  return {
    waiting: waiting.length,
    longestWaitSec: waiting.length > 0 ? Math.max(...waiting.map((e) => e.waitingSec)) : null,
    withOperator: entries.filter((e) => e.session.state === 'connected').length,
  };
}

function operatorFigures(handoff: LiveHandoffView, entries: Awaited<ReturnType<LiveHandoffView['queue']>>): NonNullable<LiveFigures['operators']> {
  const online = handoff.onlineOperators();
  const holding = new Set(entries.flatMap((e) => (e.session.state === 'connected' && e.session.operator ? [e.session.operator] : [])));
  const statuses = online.map((name) => handoff.presence.get(name).status);
  return {
    online: online.length,
    available: statuses.filter((s) => s === 'available').length,
    busy: statuses.filter((s) => s === 'busy').length,
    inConversation: online.filter((name) => holding.has(name)).length,
  };
}
