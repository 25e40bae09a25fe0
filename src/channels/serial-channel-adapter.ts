import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { KeyedSerialQueue, type TurnLock } from './keyed-serial-queue';

/**
 * What Dialogo's in-process channels (Direct Line, Messenger) share: turns of one conversation
 * run one at a time through a {@link KeyedSerialQueue}, proactive turns (operators, notices)
 * join the same queue and hand their own failure back to the caller, and `delay` activities
 * pace replies as the Bot Connector does. Subclasses say which key a reference belongs to.
 */
export abstract class SerialChannelAdapter extends BotAdapter {
  protected readonly turns: KeyedSerialQueue;

  /** `lock`: held around every turn of a key, so that turns of one conversation on several instances run one at a time. */
  protected constructor(onError: (error: unknown, key: string) => void, lock?: TurnLock) {
    super();
    this.turns = new KeyedSerialQueue(onError, lock);
  }

  /** Turns queued or running. */
  inFlight(): number {
    return this.turns.inFlight();
  }

  /** Resolves when no turn is queued or running, or after `graceMs`. */
  drain(graceMs: number): Promise<void> {
    return this.turns.drain(graceMs);
  }

  /** The queue key of a conversation reference; throws when the reference lacks what the channel needs. */
  protected abstract keyOf(reference: Partial<ConversationReference>): string;

  /**
   * Runs `logic` in a proactive turn, serialised with the citizen's own turns. The caller's own
   * failure (a refused send) goes back to the caller, not to onTurnError.
   */
  override async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const key = this.keyOf(reference);
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'ContinueConversation' }, reference, true);
    let failure: unknown;
    await this.turns.run(key, async () => {
      try {
        await this.runMiddleware(new TurnContext(this, activity), async (context) => {
          try {
            await logic(context);
          } catch (error) {
            failure = error;
          }
        });
      } catch (error) {
        failure = error;
      }
    });
    if (failure) throw failure;
  }

  /** Waits out a `delay` activity (its value in milliseconds, at most 10 s; 1 s without one). True when it was one. */
  protected async paced(activity: Partial<Activity>): Promise<boolean> {
    if (activity.type !== 'delay') return false;
    await new Promise((resolve) => setTimeout(resolve, typeof activity.value === 'number' ? Math.min(activity.value, 10_000) : 1000));
    return true;
  }
}
