import type { Storage } from 'botbuilder';

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
 * When each citizen last wrote to the page, which decides the window. Kept in memory and in
 * the state store (so that the window survives a restart), keyed by page and PSID.
 *
 * @example
 * const threads = new ThreadClock(storage);
 * await threads.touch(pageId, psid, event.timestamp);
 * const policy = sendPolicy(await threads.lastInboundAt(pageId, psid), Date.now(), 'operator');
 */
export class ThreadClock {
  /** Most recently written first out when full: the store keeps the rest. */
  private readonly cache = new Map<string, number>();
  private static readonly CACHE_MAX = 100_000;

  constructor(private readonly storage: Storage) {}

  async touch(pageId: string, psid: string, at: number): Promise<void> {
    const key = keyOf(pageId, psid);
    const known = this.cache.get(key);
    if (known !== undefined && known >= at) return;
    this.remember(key, at);
    await this.storage.write({ [key]: { lastInboundAt: at, eTag: '*' } });
  }

  async lastInboundAt(pageId: string, psid: string): Promise<number | undefined> {
    const key = keyOf(pageId, psid);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const item = (await this.storage.read([key]))[key] as { lastInboundAt?: unknown } | undefined;
    const at = typeof item?.lastInboundAt === 'number' ? item.lastInboundAt : undefined;
    if (at !== undefined) this.remember(key, at);
    return at;
  }

  private remember(key: string, at: number): void {
    this.cache.delete(key);
    this.cache.set(key, at);
    if (this.cache.size > ThreadClock.CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
  }
}

function keyOf(pageId: string, psid: string): string {
  return `messenger/thread/${pageId}/${psid}`;
}
