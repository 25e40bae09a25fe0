import type { Logger } from '../logger';
import type { Election } from './coordinator';
import type { ScriptRunner } from './redis-lock-queue';
import { ELECT, RESIGN } from './redis-scripts';

/** What a {@link RedisCampaign} needs from its coordinator. */
export interface RedisCampaignOptions {
  readonly run: ScriptRunner;
  /** The role's key. */
  readonly key: string;
  /** What the key holds while this campaign leads: unique per campaign, even of one instance. */
  readonly campaignId: string;
  readonly leaseMs: number;
  /** Whether the coordinator is healthy now (nobody leads while it is degraded). */
  readonly healthy: () => boolean;
  readonly onChange: (leading: boolean) => void;
  readonly logger: Logger;
}

/**
 * One instance's campaign for a role: the role's key holds the leader's id under a lease
 * (SET NX PX), renewed every lease/3 by a check-and-PEXPIRE; a renewal that fails or finds the
 * key gone or another's steps down at once, as does a degraded coordinator, since no leader for
 * a while is better than two. Non-leaders try again every lease/3.
 *
 * @example
 * const campaign = new RedisCampaign({ run, key: 'dialogo:leader:timers', campaignId: `${instanceId}:1`, leaseMs, healthy, onChange, logger });
 * campaign.start();
 */
export class RedisCampaign implements Election {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Rounds are serialised: a slow answer must not overtake a later one. */
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly options: RedisCampaignOptions) {}

  /** Campaigns now (the first answer comes after the call returns) and every lease/3. */
  start(): void {
    this.timer = setInterval(() => this.poke(), Math.max(1, Math.floor(this.options.leaseMs / 3)));
    this.timer.unref();
    setImmediate(() => this.poke());
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Runs a round now (the coordinator calls it when it recovers). */
  poke(): void {
    this.round = this.round.then(() => this.campaign());
  }

  /** Steps down at once (the coordinator calls it when it degrades). */
  stepDown(): void {
    this.setLeading(false);
  }

  async resign(): Promise<void> {
    if (this.stopped) return;
    this.stop();
    await this.round;
    this.setLeading(false);
    // Even when not leading now: the key may still be ours from before a blip.
    await this.options.run(RESIGN, [this.options.key], [this.options.campaignId]).catch(() => undefined);
  }

  /** Stops campaigning without a word to Redis or to `onChange` (a process that dies). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async campaign(): Promise<void> {
    if (this.stopped) return;
    const { run, key, campaignId, leaseMs, healthy } = this.options;
    if (!healthy()) return this.setLeading(false);
    let leads = false;
    try {
      leads = (await run(ELECT, [key], [campaignId, String(leaseMs), this.leading ? '1' : '0'])) === 1;
    } catch {
      leads = false;
    }
    if (this.stopped) return;
    this.setLeading(leads && healthy());
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.options.logger.debug({ role: this.options.key, leading }, leading ? 'leading a role' : 'no longer leading a role');
    this.options.onChange(leading);
  }
}
