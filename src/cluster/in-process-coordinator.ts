import { randomBytes } from 'node:crypto';
import type { Coordinator, CoordinatorHealth, Election, RateDecision } from './coordinator';

/**
 * What in-process coordinators share: one per process in production (a single instance), or
 * one for several coordinators in a test that plays several instances without Redis. Its
 * health can be forced to `degraded` so that tests see what a Redis outage does.
 */
export class InProcessHub {
  readonly locks = new Map<string, Promise<void>>();
  readonly channels = new Map<string, Set<(message: string) => void>>();
  readonly values = new Map<string, { value: string; expiresAt: number }>();
  readonly windows = new Map<string, { readonly windowMs: number; times: number[] }>();
  readonly campaigns = new Map<string, InProcessCampaign[]>();
  readonly coordinators = new Set<InProcessCoordinator>();
  private healthState: CoordinatorHealth;

  constructor(readonly now: () => number = Date.now) {
    this.healthState = { state: 'ok', since: new Date(now()).toISOString() };
  }

  get health(): CoordinatorHealth {
    return this.healthState;
  }

  /** Forces the health every coordinator of the hub reports (tests); leaders step down while degraded. */
  setHealth(state: CoordinatorHealth['state'], detail?: string): void {
    if (state === this.healthState.state) return;
    this.healthState = { state, since: new Date(this.now()).toISOString(), ...(detail ? { detail } : {}) };
    for (const campaigns of this.campaigns.values()) reelect(campaigns, state === 'ok');
    for (const coordinator of this.coordinators) coordinator.healthChanged(this.healthState);
  }

  /** Keeps a value until `expiresAt`; expired ones are dropped at most once a minute, so memory follows recent use. */
  write(key: string, value: string, expiresAt: number): void {
    this.values.set(key, { value, expiresAt });
    this.sweep();
  }

  /** Counts in a window (see {@link InProcessCoordinator.consume}); expired windows go with the same sweep. */
  setWindow(key: string, windowMs: number, times: number[]): void {
    this.windows.set(key, { windowMs, times });
    this.sweep();
  }

  private lastSweep = 0;
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
    for (const [key, { windowMs, times }] of this.windows) if (times.every((t) => now - t >= windowMs)) this.windows.delete(key);
  }

  /** Reads a value unless expired (expired ones are dropped here). */
  read(key: string): string | undefined {
    const entry = this.values.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry.value;
  }
}

interface InProcessCampaign {
  readonly coordinator: InProcessCoordinator;
  readonly onChange: (leading: boolean) => void;
  leading: boolean;
}

/** The first campaigner leads while the hub is healthy; nobody leads while it is degraded. */
function reelect(campaigns: InProcessCampaign[], healthy: boolean): void {
  campaigns.forEach((campaign, index) => {
    const leads = healthy && index === 0;
    if (campaign.leading === leads) return;
    campaign.leading = leads;
    campaign.onChange(leads);
  });
}

/**
 * The coordinator of a single instance: locks are promise chains, messages are delivered in
 * this process (on the next tick, as a network would), this instance always leads, limits and
 * values live in memory. Today's behaviour, behind the port that cluster mode implements with
 * Redis.
 *
 * @example
 * const coordinator = new InProcessCoordinator();
 * await coordinator.withLock('turn:c1', async () => runTurn());
 */
export class InProcessCoordinator implements Coordinator {
  readonly kind = 'in-process' as const;
  readonly instanceId: string;
  private readonly healthListeners: ((health: CoordinatorHealth) => void)[] = [];
  private closed = false;

  constructor(private readonly hub: InProcessHub = new InProcessHub()) {
    this.instanceId = randomBytes(6).toString('hex');
    hub.coordinators.add(this);
  }

  async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.hub.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.hub.locks.set(name, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.hub.locks.get(name) === tail) this.hub.locks.delete(name);
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.hub.health.state !== 'ok') return;
    for (const handler of [...(this.hub.channels.get(channel) ?? [])]) {
      setImmediate(() => handler(message));
    }
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    let handlers = this.hub.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.hub.channels.set(channel, handlers);
    }
    // A wrapper per subscription, so that the same handler subscribed twice is two subscriptions.
    const subscription = (message: string) => handler(message);
    handlers.add(subscription);
    return async () => {
      const set = this.hub.channels.get(channel);
      set?.delete(subscription);
      if (set?.size === 0) this.hub.channels.delete(channel);
    };
  }

  elect(role: string, onChange: (leading: boolean) => void): Election {
    let campaigns = this.hub.campaigns.get(role);
    if (!campaigns) {
      campaigns = [];
      this.hub.campaigns.set(role, campaigns);
    }
    const campaign: InProcessCampaign = { coordinator: this, onChange, leading: false };
    campaigns.push(campaign);
    const list = campaigns;
    // As over the network, the first answer comes after the call returns.
    setImmediate(() => {
      if (list.includes(campaign)) reelect(list, this.hub.health.state === 'ok');
    });
    return {
      isLeader: () => campaign.leading,
      resign: async () => {
        const index = list.indexOf(campaign);
        if (index < 0) return;
        list.splice(index, 1);
        if (campaign.leading) {
          campaign.leading = false;
          campaign.onChange(false);
        }
        reelect(list, this.hub.health.state === 'ok');
      },
    };
  }

  async consume(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = this.hub.now();
    const recent = (this.hub.windows.get(key)?.times ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= limit) {
      this.hub.setWindow(key, windowMs, recent);
      const oldest = recent[0] ?? now;
      return { allowed: false, retryAfterMs: Math.max(1, oldest + windowMs - now) };
    }
    recent.push(now);
    this.hub.setWindow(key, windowMs, recent);
    return { allowed: true, retryAfterMs: 0 };
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    if (this.hub.read(`claim:${key}`) !== undefined) return false;
    this.hub.write(`claim:${key}`, this.instanceId, this.hub.now() + ttlMs);
    return true;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    this.hub.write(`value:${key}`, value, this.hub.now() + ttlMs);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.hub.read(`value:${key}`));
  }

  async remove(key: string): Promise<void> {
    this.hub.values.delete(`value:${key}`);
  }

  async members(): Promise<string[]> {
    return [...this.hub.coordinators].map((c) => c.instanceId);
  }

  health(): CoordinatorHealth {
    return this.hub.health;
  }

  onHealth(listener: (health: CoordinatorHealth) => void): void {
    this.healthListeners.push(listener);
  }

  /** Called by the hub when its health changes. */
  healthChanged(health: CoordinatorHealth): void {
    for (const listener of this.healthListeners) listener(health);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [role, campaigns] of this.hub.campaigns) {
      const mine = campaigns.filter((c) => c.coordinator === this);
      for (const campaign of mine) {
        campaigns.splice(campaigns.indexOf(campaign), 1);
        if (campaign.leading) {
          campaign.leading = false;
          campaign.onChange(false);
        }
      }
      reelect(campaigns, this.hub.health.state === 'ok');
      if (campaigns.length === 0) this.hub.campaigns.delete(role);
    }
    this.hub.coordinators.delete(this);
  }
}
