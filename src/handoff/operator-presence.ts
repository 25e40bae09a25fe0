import { EventEmitter } from 'node:events';

/**
 * Where an operator is: `available` takes new conversations, `busy` keeps the console open
 * without taking new ones (the operator's choice), `away` has had no console connected for
 * the away delay (automatic). Only available operators are capacity in the estimates.
 */
export type PresenceStatus = 'available' | 'busy' | 'away';

/** What an operator may choose from the console; `away` is never chosen, it happens. */
export type ChosenPresence = Exclude<PresenceStatus, 'away'>;

/** One operator's presence as the supervisor's view and the estimates read it. */
export interface PresenceView {
  readonly name: string;
  readonly status: PresenceStatus;
  /** When the status began (ISO 8601); null for an operator not seen since the process started. */
  readonly since: string | null;
  /** Open consoles (WebSockets) of the operator. */
  readonly connections: number;
  /** The limit the operator had when their console last connected. */
  readonly maxConcurrent: number;
}

/** The account facts presence needs, from a verified console token. */
export interface PresenceIdentity {
  readonly name: string;
  readonly role: 'operator' | 'supervisor';
  readonly maxConcurrent: number;
}

export interface OperatorPresenceOptions {
  /** No console connected for this long makes an operator away (OPERATOR_AWAY_AFTER_SEC). */
  readonly awayAfterMs: number;
  readonly now?: () => number;
}

/**
 * What the handoff core and the operator routes read and tell about operators' presence: one
 * process's {@link OperatorPresence}, or the cluster's SharedOperatorPresence
 * (src/cluster/shared-operator-presence.ts), whose reads are synchronous over a mirror.
 * Emits `change` with the operator's name whenever what the reads return changes.
 *
 * @example
 * const presence: OperatorPresencePort = new OperatorPresence({ awayAfterMs: 60_000 });
 * presence.on('change', () => redrawConsoles());
 * presence.available().length; // operators taking new conversations now
 */
export interface OperatorPresencePort {
  /** A console of the operator connected (its WebSocket opened). */
  connected(identity: PresenceIdentity): void;
  /** A console of the operator went away; `immediate` (signed out) skips the away delay. */
  disconnected(name: string, immediate?: boolean): void;
  /** The operator chose available or busy. */
  choose(name: string, status: ChosenPresence, role?: 'operator' | 'supervisor'): PresenceView;
  /** One operator's presence; an operator never seen is away since an unknown time. */
  get(name: string): PresenceView;
  /** Operators who take new conversations now. */
  available(): PresenceView[];
  /** Operators with at least one console open, whatever their status. */
  connectedNames(): string[];
  /** Stops timers (at shutdown). */
  stop(): void;
  on(event: 'change', listener: (name: string) => void): this;
}

interface Entry {
  role: 'operator' | 'supervisor';
  connections: number;
  chosen: ChosenPresence;
  status: PresenceStatus;
  since: number | null;
  maxConcurrent: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Operators' presence, kept in this process's memory from the consoles' WebSockets it holds (a
 * single instance; in cluster mode SharedOperatorPresence shares it, docs/cluster.md). A console that connects makes its operator
 * present with the status they chose; the last console that goes away starts the away delay, so
 * a reload or a short network loss does not flicker the status. Coming back after being away
 * starts again from the role's default: operators `available`, supervisors `busy` (a supervisor
 * watching the floor is not taking chats unless they say so). Emits `change` with the name.
 *
 * @example
 * const presence = new OperatorPresence({ awayAfterMs: 60_000 });
 * presence.connected({ name: 'giulia', role: 'operator', maxConcurrent: 3 });
 * presence.choose('giulia', 'busy');
 * presence.disconnected('giulia'); // away after 60 s unless a console of hers comes back
 */
export class OperatorPresence extends EventEmitter implements OperatorPresencePort {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: OperatorPresenceOptions) {
    super();
    if (!(options.awayAfterMs >= 0)) throw new Error(`awayAfterMs must be 0 or more, got ${options.awayAfterMs}`);
    this.now = options.now ?? Date.now;
  }

  /** A console of the operator connected (its WebSocket opened). */
  connected(identity: PresenceIdentity): void {
    const entry = this.entry(identity.name, identity.role);
    entry.role = identity.role;
    entry.maxConcurrent = identity.maxConcurrent;
    entry.connections += 1;
    this.clearTimer(entry);
    // Whether a console is open is news for the supervisor too, even when the status stays.
    if (!this.setStatus(identity.name, entry, entry.chosen) && entry.connections === 1) this.emit('change', identity.name);
  }

  /**
   * A console of the operator went away. `immediate` (the operator signed out) skips the delay
   * when it was their last console.
   */
  disconnected(name: string, immediate = false): void {
    const entry = this.entries.get(name);
    if (!entry || entry.connections === 0) return;
    entry.connections -= 1;
    if (entry.connections > 0) return;
    this.clearTimer(entry);
    if (immediate || this.options.awayAfterMs === 0) return this.goAway(name, entry);
    this.emit('change', name);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (entry.connections === 0) this.goAway(name, entry);
    }, this.options.awayAfterMs);
    entry.timer.unref();
  }

  /** The operator chose available or busy; applies at once while a console is open or in the delay. */
  choose(name: string, status: ChosenPresence, role: 'operator' | 'supervisor' = 'operator'): PresenceView {
    const entry = this.entry(name, role);
    entry.chosen = status;
    if (entry.status !== 'away') this.setStatus(name, entry, status);
    return this.view(name, entry);
  }

  /** One operator's presence; an operator never seen is away since an unknown time. */
  get(name: string): PresenceView {
    const entry = this.entries.get(name);
    return entry ? this.view(name, entry) : { name, status: 'away', since: null, connections: 0, maxConcurrent: 0 };
  }

  /** Operators who take new conversations now. */
  available(): PresenceView[] {
    return [...this.entries].filter(([, e]) => e.status === 'available').map(([name, e]) => this.view(name, e));
  }

  /** Operators with at least one console open, whatever their status. */
  connectedNames(): string[] {
    return [...this.entries].filter(([, e]) => e.connections > 0).map(([name]) => name);
  }

  /** Stops the away delays (at shutdown). */
  stop(): void {
    for (const entry of this.entries.values()) this.clearTimer(entry);
  }

  private entry(name: string, role: 'operator' | 'supervisor'): Entry {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { role, connections: 0, chosen: defaultFor(role), status: 'away', since: null, maxConcurrent: 0, timer: undefined };
      this.entries.set(name, entry);
    }
    return entry;
  }

  private goAway(name: string, entry: Entry): void {
    entry.chosen = defaultFor(entry.role);
    if (!this.setStatus(name, entry, 'away')) this.emit('change', name);
  }

  /** True when the status changed (and `change` was emitted). */
  private setStatus(name: string, entry: Entry, status: PresenceStatus): boolean {
    if (entry.status === status && entry.since !== null) return false;
    entry.status = status;
    entry.since = this.now();
    this.emit('change', name);
    return true;
  }

  private clearTimer(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  private view(name: string, entry: Entry): PresenceView {
    return { name, status: entry.status, since: entry.since === null ? null : new Date(entry.since).toISOString(), connections: entry.connections, maxConcurrent: entry.maxConcurrent };
  }
}

function defaultFor(role: 'operator' | 'supervisor'): ChosenPresence {
  return role === 'supervisor' ? 'busy' : 'available';
}
