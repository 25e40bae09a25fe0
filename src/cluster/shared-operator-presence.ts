import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { ChosenPresence, OperatorPresencePort, PresenceIdentity, PresenceStatus, PresenceView } from '../handoff/operator-presence';
import type { Logger } from '../logger';
import type { Coordinator } from './coordinator';

type Role = 'operator' | 'supervisor';

/** Where each instance publishes its consoles: `presence/operators/<instanceId>`. */
export const OPERATOR_SNAPSHOT_PREFIX = 'presence/operators/';
/** Where an operator's chosen status is kept: `presence/operator-choice/<name>`. */
export const OPERATOR_CHOICE_PREFIX = 'presence/operator-choice/';
/** Told when an instance's consoles change or an operator chooses, so that others refresh at once. */
export const OPERATOR_PRESENCE_CHANNEL = 'presence/operators';

const roleSchema = z.enum(['operator', 'supervisor']);
const chosenSchema = z.enum(['available', 'busy']);

/** One instance's consoles of one operator, as that instance publishes them. */
const consolesSchema = z.object({
  name: z.string().min(1).max(200),
  role: roleSchema,
  connections: z.number().int().min(0),
  maxConcurrent: z.number().int().min(0),
  /** When the entry last changed (the freshest entry gives the role and limit). */
  changedAt: z.number(),
  /** When the last console of this instance closed; null while one is open. */
  closedAt: z.number().nullable(),
  /** That last close was a sign-out: no away delay. */
  signedOut: z.boolean(),
});
type Consoles = z.infer<typeof consolesSchema>;

const snapshotSchema = z.object({ instanceId: z.string().min(1), operators: z.array(consolesSchema).max(10_000) });
const choiceSchema = z.object({ status: chosenSchema, at: z.number(), role: roleSchema });
type Choice = z.infer<typeof choiceSchema>;

const messageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('consoles'), instanceId: z.string().min(1) }),
  z.object({ kind: z.literal('choice'), name: z.string().min(1).max(200), choice: choiceSchema }),
]);

export interface SharedOperatorPresenceOptions {
  readonly coordinator: Coordinator;
  /** No console anywhere for this long makes an operator away (OPERATOR_AWAY_AFTER_SEC). */
  readonly awayAfterMs: number;
  /** How often this instance republishes its consoles and reads the others' (2 s). */
  readonly heartbeatMs?: number;
  /** How long a chosen status is kept without a console (12 h: longer than a shift). */
  readonly choiceTtlMs?: number;
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
  readonly now?: () => number;
}

interface MergedView {
  readonly role: Role;
  readonly status: PresenceStatus;
  readonly since: number;
  readonly connections: number;
  readonly maxConcurrent: number;
}

/**
 * Operators' presence shared by every Dialogo instance through the {@link Coordinator}: a
 * console's WebSocket may be on instance A while the citizen asking for an operator is on B and
 * the operator's choice arrives over HTTP on C. Each instance counts its own consoles and
 * publishes them under `presence/operators/<instanceId>` (TTL three heartbeats) every heartbeat
 * and at once on every change, with a message on {@link OPERATOR_PRESENCE_CHANNEL} so that the
 * others read it now rather than at their next heartbeat. Reads are synchronous, from a mirror
 * merging the consoles of the live members: connections are summed; an operator is present
 * while any instance has a console of theirs open or within the away delay since the last one
 * closed (a sign-out skips the delay), away otherwise, with the same rules as
 * {@link OperatorPresence}. The chosen status is shared (stored, long TTL, and published) and
 * forgotten when the operator goes away, so that coming back starts from the role's default.
 *
 * An instance that vanishes (missing from `members()` or its snapshot expired) keeps no console
 * open: its operators' consoles count as closed when it vanished, so the away delay runs as for
 * a browser that died, and a console that reconnects to another instance within it keeps the
 * operator's status (a rolling restart does not make everyone away and reset their choice).
 * While the coordinator is degraded, the other instances' consoles stay as last read (nobody is
 * made away for an outage) and this instance's own consoles still count at once.
 * `since` is when this instance saw the status begin (to within a heartbeat across instances).
 *
 * @example
 * const presence = new SharedOperatorPresence({ coordinator, awayAfterMs: 60_000 });
 * await presence.start();
 * const handoff = new HandoffService({ ...options, operatorPresence: presence });
 * // at shutdown
 * await presence.close();
 */
export class SharedOperatorPresence extends EventEmitter implements OperatorPresencePort {
  private readonly coordinator: Coordinator;
  private readonly awayAfterMs: number;
  private readonly heartbeatMs: number;
  private readonly choiceTtlMs: number;
  private readonly now: () => number;
  /** This instance's consoles by operator. */
  private readonly local = new Map<string, Consoles>();
  /** The other live instances' consoles, as last read. */
  private remote = new Map<string, readonly Consoles[]>();
  /** Operators whose console was open on an instance that vanished: when it vanished. */
  private readonly orphaned = new Map<string, number>();
  private readonly choices = new Map<string, Choice>();
  private readonly views = new Map<string, MergedView>();
  private heartbeat: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private pulling: Promise<void> | undefined;
  private pullAgain = false;
  private failing = false;
  private stopped = false;

  constructor(private readonly options: SharedOperatorPresenceOptions) {
    super();
    if (!(options.awayAfterMs >= 0)) throw new Error(`awayAfterMs must be 0 or more, got ${options.awayAfterMs}`);
    this.coordinator = options.coordinator;
    this.awayAfterMs = options.awayAfterMs;
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    if (!(this.heartbeatMs > 0)) throw new Error(`heartbeatMs must be positive, got ${this.heartbeatMs}`);
    this.choiceTtlMs = options.choiceTtlMs ?? 12 * 3_600_000;
    this.now = options.now ?? Date.now;
  }

  /** Subscribes, reads the other instances' consoles once, then keeps the heartbeat. */
  async start(): Promise<void> {
    this.unsubscribe = await this.coordinator.subscribe(OPERATOR_PRESENCE_CHANNEL, (message) => this.onMessage(message));
    // After an outage, what was published meanwhile may have been missed: read everything again.
    this.coordinator.onHealth((health) => {
      if (health.state === 'ok' && !this.stopped) void this.beat();
    });
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  connected(identity: PresenceIdentity): void {
    const entry = this.local.get(identity.name);
    this.local.set(identity.name, {
      name: identity.name,
      role: identity.role,
      connections: (entry?.connections ?? 0) + 1,
      maxConcurrent: identity.maxConcurrent,
      changedAt: this.now(),
      closedAt: null,
      signedOut: false,
    });
    this.localChanged();
  }

  disconnected(name: string, immediate = false): void {
    const entry = this.local.get(name);
    if (!entry || entry.connections === 0) return;
    const connections = entry.connections - 1;
    const now = this.now();
    this.local.set(name, { ...entry, connections, changedAt: now, ...(connections === 0 ? { closedAt: now, signedOut: immediate } : {}) });
    this.localChanged();
  }

  choose(name: string, status: ChosenPresence, role: Role = 'operator'): PresenceView {
    const choice: Choice = { status, at: this.now(), role };
    this.applyChoice(name, choice);
    this.recompute();
    void this.share('choice', async () => {
      await this.coordinator.put(OPERATOR_CHOICE_PREFIX + name, JSON.stringify(choice), this.choiceTtlMs);
      await this.coordinator.publish(OPERATOR_PRESENCE_CHANNEL, JSON.stringify({ kind: 'choice', name, choice }));
    });
    return this.get(name);
  }

  get(name: string): PresenceView {
    const view = this.views.get(name);
    return view ? toView(name, view) : { name, status: 'away', since: null, connections: 0, maxConcurrent: 0 };
  }

  available(): PresenceView[] {
    return [...this.views].filter(([, v]) => v.status === 'available').map(([name, v]) => toView(name, v));
  }

  connectedNames(): string[] {
    return [...this.views].filter(([, v]) => v.connections > 0).map(([name]) => name);
  }

  /** Stops the heartbeat and the away timer (the synchronous part of {@link close}). */
  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.expiry) clearTimeout(this.expiry);
    this.heartbeat = undefined;
    this.expiry = undefined;
  }

  /** Stops, unsubscribes and withdraws this instance's consoles, so that others stop counting them now. */
  async close(): Promise<void> {
    this.stop();
    await this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = undefined;
    await this.share('withdraw', async () => {
      await this.coordinator.remove(OPERATOR_SNAPSHOT_PREFIX + this.coordinator.instanceId);
      await this.coordinator.publish(OPERATOR_PRESENCE_CHANNEL, JSON.stringify({ kind: 'consoles', instanceId: this.coordinator.instanceId }));
    });
  }

  private localChanged(): void {
    this.recompute();
    void this.publishConsoles(true);
  }

  private onMessage(raw: string): void {
    if (this.stopped) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    const message = messageSchema.safeParse(parsed);
    if (!message.success) return;
    if (message.data.kind === 'choice') {
      this.applyChoice(message.data.name, message.data.choice);
      this.recompute();
    } else if (message.data.instanceId !== this.coordinator.instanceId) {
      void this.pull();
    }
  }

  /** Keeps the latest choice, unless it was made before the operator last went away. */
  private applyChoice(name: string, choice: Choice): void {
    const current = this.choices.get(name);
    if (current && current.at > choice.at) return;
    const view = this.views.get(name);
    if (view?.status === 'away' && choice.at < view.since) return;
    this.choices.set(name, choice);
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const now = this.now();
    for (const [name, entry] of this.local) {
      if (entry.connections === 0 && entry.closedAt !== null && now - entry.closedAt >= this.awayAfterMs) this.local.delete(name);
    }
    await this.publishConsoles(false);
    await this.pull();
  }

  private async publishConsoles(announce: boolean): Promise<void> {
    const { instanceId } = this.coordinator;
    const snapshot = JSON.stringify({ instanceId, operators: [...this.local.values()] });
    await this.share('consoles', async () => {
      await this.coordinator.put(OPERATOR_SNAPSHOT_PREFIX + instanceId, snapshot, 3 * this.heartbeatMs);
      if (announce) await this.coordinator.publish(OPERATOR_PRESENCE_CHANNEL, JSON.stringify({ kind: 'consoles', instanceId }));
    });
  }

  /** Reads the live instances' consoles and the choices; one read at a time, a request during one runs after it. */
  private pull(): Promise<void> {
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      do {
        this.pullAgain = false;
        await this.share('read', () => this.read());
      } while (this.pullAgain && !this.stopped);
    })().finally(() => (this.pulling = undefined));
    return this.pulling;
  }

  private async read(): Promise<void> {
    const self = this.coordinator.instanceId;
    const others = (await this.coordinator.members()).filter((id) => id !== self);
    const values = await this.coordinator.getMany(others.map((id) => OPERATOR_SNAPSHOT_PREFIX + id));
    const remote = new Map<string, readonly Consoles[]>();
    others.forEach((id, index) => {
      const snapshot = parseJson(snapshotSchema, values[index]);
      if (snapshot && snapshot.instanceId === id) remote.set(id, snapshot.operators);
    });
    const names = new Set<string>([...this.local.keys(), ...this.views.keys()]);
    for (const operators of remote.values()) for (const entry of operators) names.add(entry.name);
    const list = [...names];
    const choices = await this.coordinator.getMany(list.map((name) => OPERATOR_CHOICE_PREFIX + name));
    // Degraded, the coordinator answers this instance alone and no values ("unknown", not "absent"):
    // the other instances' consoles are kept as last read rather than counted as closed.
    if (this.coordinator.health().state !== 'ok') throw new Error('coordinator degraded: the other instances are unknown');
    list.forEach((name, index) => {
      const choice = parseJson(choiceSchema, choices[index]);
      if (choice) this.applyChoice(name, choice);
    });
    if (this.stopped) return;
    const now = this.now();
    for (const [id, operators] of this.remote) {
      if (remote.has(id)) continue;
      for (const entry of operators) if (entry.connections > 0) this.orphaned.set(entry.name, now);
    }
    this.remote = remote;
    this.recompute();
  }

  /** Merges the consoles into the views; emits `change` for every operator whose view changed. */
  private recompute(): void {
    const now = this.now();
    for (const [name, at] of this.orphaned) if (now - at >= this.awayAfterMs) this.orphaned.delete(name);
    const entries = new Map<string, Consoles[]>();
    const add = (entry: Consoles) => entries.set(entry.name, [...(entries.get(entry.name) ?? []), entry]);
    for (const entry of this.local.values()) add(entry);
    for (const operators of this.remote.values()) operators.forEach(add);
    const names = new Set([...entries.keys(), ...this.orphaned.keys(), ...this.views.keys()]);
    let nextExpiry = Infinity;
    const changed: string[] = [];
    for (const name of names) {
      const mine = entries.get(name) ?? [];
      const previous = this.views.get(name);
      const connections = mine.reduce((sum, e) => sum + e.connections, 0);
      const freshest = mine.reduce<Consoles | undefined>((best, e) => (!best || e.changedAt > best.changedAt ? e : best), undefined);
      const role = freshest?.role ?? previous?.role ?? this.choices.get(name)?.role ?? 'operator';
      const maxConcurrent = freshest?.maxConcurrent ?? previous?.maxConcurrent ?? 0;
      let present = connections > 0;
      if (!present) {
        const close = lastClose(mine, this.orphaned.get(name));
        if (close && !close.signedOut && now - close.at < this.awayAfterMs) {
          present = true;
          nextExpiry = Math.min(nextExpiry, close.at + this.awayAfterMs);
        }
      }
      if (!previous && !present) continue;
      const status: PresenceStatus = present ? (this.choices.get(name)?.status ?? defaultFor(role)) : 'away';
      if (status === 'away' && previous?.status !== 'away') this.forgetChoice(name, now);
      const since = previous && previous.status === status ? previous.since : now;
      const view: MergedView = { role, status, since, connections, maxConcurrent };
      this.views.set(name, view);
      if (!previous || previous.status !== status || previous.connections !== connections || previous.maxConcurrent !== maxConcurrent) changed.push(name);
    }
    this.scheduleExpiry(nextExpiry, now);
    for (const name of changed) this.emit('change', name);
  }

  /** Gone away: the next console starts from the role's default (as {@link OperatorPresence} does). */
  private forgetChoice(name: string, awayAt: number): void {
    const choice = this.choices.get(name);
    if (!choice || choice.at >= awayAt) return;
    this.choices.delete(name);
    void this.share('forget choice', async () => {
      const [stored] = await this.coordinator.getMany([OPERATOR_CHOICE_PREFIX + name]);
      const current = parseJson(choiceSchema, stored);
      // A choice made since (on another instance) stays.
      if (current && current.at < awayAt) await this.coordinator.remove(OPERATOR_CHOICE_PREFIX + name);
    });
  }

  /** The away delay ends exactly on time, not at the next heartbeat. */
  private scheduleExpiry(at: number, now: number): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = undefined;
    if (at === Infinity || this.stopped) return;
    this.expiry = setTimeout(() => {
      this.expiry = undefined;
      this.recompute();
    }, Math.max(0, at - now));
    this.expiry.unref();
  }

  /** Runs a coordinator call; a failure (the coordinator degraded) is logged once per outage, the mirror kept. */
  private async share(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      if (this.failing) this.options.logger?.info('operators presence shared again');
      this.failing = false;
    } catch (error: unknown) {
      if (!this.failing) this.options.logger?.warn({ err: error, what }, 'operators presence not shared: the coordinator failed; reads keep the last view');
      this.failing = true;
    }
  }
}

/** The latest close among instances without an open console, or the vanishing of one that had one. */
function lastClose(entries: readonly Consoles[], orphanedAt: number | undefined): { at: number; signedOut: boolean } | undefined {
  let last: { at: number; signedOut: boolean } | undefined = orphanedAt === undefined ? undefined : { at: orphanedAt, signedOut: false };
  for (const entry of entries) {
    if (entry.closedAt !== null && (!last || entry.closedAt > last.at)) last = { at: entry.closedAt, signedOut: entry.signedOut };
  }
  return last;
}

function parseJson<T>(schema: z.ZodType<T>, raw: string | undefined): T | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function toView(name: string, view: MergedView): PresenceView {
  return { name, status: view.status, since: new Date(view.since).toISOString(), connections: view.connections, maxConcurrent: view.maxConcurrent };
}

function defaultFor(role: Role): ChosenPresence {
  return role === 'supervisor' ? 'busy' : 'available';
}
