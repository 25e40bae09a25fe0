import { createHash } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { z } from 'zod';

const HOUR_MS = 60 * 60 * 1000;
/** Meta's standard messaging window: any message within 24 hours of the citizen's last one. */
export const STANDARD_WINDOW_MS = 24 * HOUR_MS;
/** The HUMAN_AGENT tag: a person may answer up to 7 days after the citizen's last message. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

/** Who wrote an outgoing message: the bot, or an operator through the console. */
export type Author = 'bot' | 'operator';

/** How a message may be sent, or why it may not. */
export type SendPolicy =
  | { readonly allowed: true; readonly messagingType: 'RESPONSE' }
  | { readonly allowed: true; readonly messagingType: 'MESSAGE_TAG'; readonly tag: 'HUMAN_AGENT' }
  | { readonly allowed: false; readonly code: 'NO_CITIZEN_MESSAGE' | 'WINDOW_CLOSED_24H' | 'WINDOW_CLOSED_7D'; readonly reason: string };

/**
 * Messenger's rules for a message to a citizen who last wrote at `lastInboundAt`:
 * inside 24 hours, `RESPONSE`; from 24 hours to 7 days, only a person's message with the
 * `HUMAN_AGENT` tag; past 7 days, nothing. The reason is in Italian: operators read it.
 *
 * @example
 * sendPolicy(Date.parse('2026-11-20T10:00Z'), Date.parse('2026-11-22T10:00Z'), 'operator');
 * // { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
 */
export function sendPolicy(lastInboundAt: number | undefined, now: number, author: Author): SendPolicy {
  if (lastInboundAt === undefined) {
    return { allowed: false, code: 'NO_CITIZEN_MESSAGE', reason: 'Il cittadino non ha mai scritto alla pagina: Messenger non consente di scrivergli per primi.' };
  }
  const age = now - lastInboundAt;
  if (age < STANDARD_WINDOW_MS) return { allowed: true, messagingType: 'RESPONSE' };
  const since = describeAge(age);
  if (author === 'operator') {
    if (age < HUMAN_AGENT_WINDOW_MS) return { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    return {
      allowed: false,
      code: 'WINDOW_CLOSED_7D',
      reason: `Il cittadino ha scritto l’ultima volta ${since} fa: Messenger consente la risposta di un operatore solo entro 7 giorni. Usa la richiesta scritta o il telefono.`,
    };
  }
  return { allowed: false, code: 'WINDOW_CLOSED_24H', reason: `Il cittadino ha scritto l’ultima volta ${since} fa: oltre 24 ore il bot non può più scrivergli su Messenger.` };
}

function describeAge(ms: number): string {
  const hours = Math.floor(ms / HOUR_MS);
  return hours < 48 ? `${hours} ore` : `${Math.floor(hours / 24)} giorni`;
}

/** Refused by Messenger's messaging window; `reason` is for the operator. */
export class MessagingWindowError extends Error {
  constructor(
    readonly code: 'NO_CITIZEN_MESSAGE' | 'WINDOW_CLOSED_24H' | 'WINDOW_CLOSED_7D',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'MessagingWindowError';
  }
}

/**
 * How long after an event Meta may still deliver it again. Meta retries a webhook delivery that
 * failed "immediately, then a few more times with decreasing frequency over the next 36 hours",
 * and drops it after 36 hours (Graph API Webhooks, Getting Started; the Messenger Platform disables
 * a webhook that keeps failing for an hour, so in practice retries stop sooner). An event older
 * than this is not a retry: it is a replay, and is ignored.
 */
export const REDELIVERY_WINDOW_MS = 36 * HOUR_MS;
/** Events remembered per citizen; past it the oldest go and only their newest time is kept. */
export const RECENT_EVENTS_MAX = 50;

/** What {@link ThreadClock.admit} decided about an event. */
export type Admission = 'new' | 'redelivery' | 'stale';

// Stored as it came back from the store: unknown until parsed. Records written before the list
// existed hold only lastInboundAt, and are read as a thread with no remembered event.
const threadRecordSchema = z.object({
  lastInboundAt: z.number().optional(),
  recent: z
    .array(z.tuple([z.string().max(64), z.number()]))
    .max(RECENT_EVENTS_MAX)
    .optional(),
  forgottenUpTo: z.number().optional(),
});

interface ThreadRecord {
  lastInboundAt?: number;
  /** Digests of the events processed within the window, oldest first, with each event's time. */
  recent: [string, number][];
  /** Newest time of an event dropped from `recent` for room: anything up to it was processed. */
  forgottenUpTo?: number;
}

/**
 * Per citizen and page, in the state store (so that both survive a restart): when the citizen
 * last wrote, which decides the messaging window, and which of their events were already
 * processed, so that a redelivery or a replayed signed body is not answered twice. The last
 * inbound time is also cached in memory, as every send reads it.
 *
 * @example
 * const threads = new ThreadClock(storage);
 * if ((await threads.admit(pageId, psid, { key: mid, timestamp }, Date.now())) !== 'new') return;
 * const policy = sendPolicy(await threads.lastInboundAt(pageId, psid), Date.now(), 'operator');
 */
export class ThreadClock {
  /** Most recently written first out when full: the store keeps the rest. */
  private readonly cache = new Map<string, number>();
  private static readonly CACHE_MAX = 100_000;

  /**
   * `cache: false` in cluster mode: another instance may have admitted a newer event of the
   * citizen, so every send reads the store (a stale time would refuse an operator's message).
   */
  constructor(
    private readonly storage: Storage,
    private readonly options: { readonly cache?: boolean } = {},
  ) {}

  /**
   * Records an event of the citizen unless it was seen: `redelivery` when its key is remembered
   * or it is older than an event forgotten for room, `stale` when it is older than
   * {@link REDELIVERY_WINDOW_MS}. Calls for one citizen must not overlap (the adapter runs each
   * citizen's events one at a time), since this reads and then writes the record.
   * Rejects when the store fails; the last inbound time is then still kept in memory.
   */
  async admit(pageId: string, psid: string, event: { key: string; timestamp: number }, now: number): Promise<Admission> {
    const oldest = now - REDELIVERY_WINDOW_MS;
    // An event stamped in the future (a skewed or forged clock, signed all the same) counts as now:
    // its time would otherwise hold the 24-hour window open for as long as it lies ahead.
    const eventAt = Math.min(event.timestamp, now);
    if (eventAt < oldest) return 'stale';
    const key = keyOf(pageId, psid);
    const known = this.cache.get(key);
    if (known === undefined || known < eventAt) this.remember(key, eventAt);
    const record = recordOf((await this.storage.read([key]))[key]);
    const digest = digestOf(event.key);
    if (record.recent.some(([seen]) => seen === digest)) return 'redelivery';
    if (record.forgottenUpTo !== undefined && eventAt <= record.forgottenUpTo) return 'redelivery';
    // Events older than the window need no memory: the age check refuses them.
    const recent = record.recent.filter(([, at]) => at >= oldest);
    recent.push([digest, eventAt]);
    let forgottenUpTo = record.forgottenUpTo !== undefined && record.forgottenUpTo >= oldest ? record.forgottenUpTo : undefined;
    while (recent.length > RECENT_EVENTS_MAX) {
      const dropped = recent.shift();
      if (dropped !== undefined) forgottenUpTo = Math.max(forgottenUpTo ?? dropped[1], dropped[1]);
    }
    const lastInboundAt = Math.max(record.lastInboundAt ?? eventAt, eventAt);
    this.remember(key, lastInboundAt);
    await this.storage.write({ [key]: { lastInboundAt, recent, ...(forgottenUpTo !== undefined ? { forgottenUpTo } : {}), eTag: '*' } });
    return 'new';
  }

  async lastInboundAt(pageId: string, psid: string): Promise<number | undefined> {
    const key = keyOf(pageId, psid);
    const cached = this.options.cache === false ? undefined : this.cache.get(key);
    if (cached !== undefined) return cached;
    const at = recordOf((await this.storage.read([key]))[key]).lastInboundAt;
    if (at !== undefined) this.remember(key, at);
    return at;
  }

  private remember(key: string, at: number): void {
    this.cache.delete(key);
    this.cache.set(key, at);
    if (this.cache.size > ThreadClock.CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** A record that does not parse is read as an empty thread: a redelivery may then run twice, a crash never. */
function recordOf(stored: unknown): ThreadRecord {
  const parsed = threadRecordSchema.safeParse(stored);
  if (!parsed.success) return { recent: [] };
  const { lastInboundAt, recent, forgottenUpTo } = parsed.data;
  return { recent: recent ?? [], ...(lastInboundAt !== undefined ? { lastInboundAt } : {}), ...(forgottenUpTo !== undefined ? { forgottenUpTo } : {}) };
}

/** A fixed-size digest, so that the record's size does not depend on how long Meta's ids are. */
function digestOf(eventKey: string): string {
  return createHash('sha256').update(eventKey).digest('base64url').slice(0, 22);
}

function keyOf(pageId: string, psid: string): string {
  return `messenger/thread/${pageId}/${psid}`;
}
