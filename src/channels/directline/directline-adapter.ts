import {
  ActivityTypes,
  TurnContext,
  type Activity,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import type { TurnLock } from '../keyed-serial-queue';
import { SerialChannelAdapter } from '../serial-channel-adapter';
import type { ConversationStore, DirectLineConversation, StoredActivity } from './conversation-store';

/** Where a turn keeps the conversation it belongs to (read once, when the turn began). */
const CONVERSATION = Symbol('directline conversation');

/** channelId of every activity on this channel, as on Azure's Direct Line. */
export const DIRECTLINE_CHANNEL_ID = 'directline';

/** Told of every activity stored in a conversation (the citizen's and the bot's), to push it to open streams. */
export type StoredListener = (conversationId: string, entries: readonly StoredActivity[]) => void;

/** What the adapter needs: where conversations live, the bot, and who the bot is on this channel. */
export interface DirectLineAdapterOptions {
  readonly store: ConversationStore;
  /** Runs one turn (the same bot logic the CloudAdapter runs). */
  readonly botLogic: (context: TurnContext) => Promise<void>;
  readonly bot?: ChannelAccount;
  /** Errors that escape a turn (after onTurnError); a turn never rejects into the HTTP layer. */
  readonly onError?: (error: unknown, conversationId: string) => void;
  /** Cluster mode: the coordinator's lock, so that a conversation's turns on several instances run one at a time. */
  readonly turnLock?: TurnLock;
}

/**
 * Runs the bot in-process for Dialogo's own Direct Line endpoint. A citizen's activity is stored,
 * then the bot's turn runs through this adapter's middleware (the same as the CloudAdapter's), and
 * what the bot sends is appended to the conversation and pushed to listeners: no HTTP call to
 * ourselves and no Bot Connector. Turns of one conversation run one at a time, so conversation
 * state is never written by two turns at once. Proactive messages (operators, later) go through
 * {@link DirectLineAdapter.sendToConversation}, the same path.
 *
 * @example
 * const adapter = new DirectLineAdapter({ store, botLogic: (ctx) => bot.run(ctx) });
 * adapter.use(interactionMiddleware);
 * adapter.onStored((id, entries) => hub.publish(id, entries));
 * await adapter.sendToConversation('conv1', { type: 'message', text: 'Un operatore ti risponderà a breve.' });
 */
export class DirectLineAdapter extends SerialChannelAdapter {
  readonly store: ConversationStore;
  readonly bot: ChannelAccount;
  private readonly botLogic: (context: TurnContext) => Promise<void>;
  private readonly onError: (error: unknown, conversationId: string) => void;
  private readonly listeners: StoredListener[] = [];

  constructor(options: DirectLineAdapterOptions) {
    super((error, conversationId) => this.onError(error, conversationId), options.turnLock);
    this.store = options.store;
    this.botLogic = options.botLogic;
    this.bot = options.bot ?? { id: 'dialogo', name: 'Dialogo', role: 'bot' };
    this.onError = options.onError ?? (() => undefined);
  }

  /** Registers a listener of stored activities. */
  onStored(listener: StoredListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs the `conversationUpdate` (citizen and bot added) that a new conversation starts with,
   * so the bot's welcome appears. Not stored: Direct Line clients never see it.
   */
  startConversation(conversation: DirectLineConversation): Promise<void> {
    const activity: Partial<Activity> = {
      ...this.envelope(conversation, userOf(conversation), this.bot),
      type: ActivityTypes.ConversationUpdate,
      id: `${conversation.id}|start`,
      // The locale the client started with: the welcome is the first thing said in it.
      locale: conversation.locale,
      membersAdded: [userOf(conversation), this.bot],
    };
    return this.enqueue(conversation.id, () => this.runTurn(activity, conversation));
  }

  /**
   * Stores an activity the citizen posted, pushes it (clients expect their own activities back),
   * and runs the bot on it; resolves with its id once the bot has answered.
   */
  async receiveActivity(conversation: DirectLineConversation, posted: Partial<Activity>): Promise<ResourceResponse> {
    // The token decides who speaks: a client cannot post as someone else.
    const from: ChannelAccount = { ...userOf(conversation), name: posted.from?.name ?? '' };
    const stored = await this.append(conversation.id, {
      ...posted,
      ...this.envelope(conversation, from, this.bot),
      locale: posted.locale ?? conversation.locale,
    });
    // The turn gets its own copy: a turn may rewrite its activity (the handoff gate turns "a written
    // request" into a command with the citizen's description), and that must not reach the history
    // the citizen's streams are sent and the store writes.
    await this.enqueue(conversation.id, () => this.runTurn({ ...stored.activity }, conversation));
    return { id: stored.activity.id ?? '' };
  }

  /**
   * Sends an activity into a conversation from outside a turn (an operator, a notification),
   * through the middleware, exactly like a bot reply.
   */
  async sendToConversation(conversationId: string, activity: Partial<Activity>): Promise<ResourceResponse> {
    const conversation = await this.store.get(conversationId);
    if (!conversation) throw new Error(`unknown Direct Line conversation ${conversationId}`);
    let response: ResourceResponse | undefined;
    await this.continueConversation(this.referenceOf(conversation), async (context) => {
      response = await context.sendActivity(activity);
    });
    return response ?? { id: '' };
  }

  protected keyOf(reference: Partial<ConversationReference>): string {
    const conversationId = reference.conversation?.id;
    if (!conversationId) throw new Error('continueConversation needs reference.conversation.id');
    return conversationId;
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (await this.paced(activity)) {
        responses.push({ id: '' });
        continue;
      }
      if (activity.type === ActivityTypes.InvokeResponse) {
        responses.push({ id: '' });
        continue;
      }
      const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
      // The turn's own conversation is on the context: no store read per reply (a database read in cluster mode).
      const current = context.turnState.get(CONVERSATION) as DirectLineConversation | undefined;
      const conversation = current?.id === conversationId ? current : conversationId ? await this.store.get(conversationId) : undefined;
      if (!conversation) throw new Error(`unknown Direct Line conversation ${conversationId ?? '(none)'}`);
      const stored = await this.append(conversation.id, {
        ...activity,
        ...this.envelope(conversation, this.bot, userOf(conversation)),
      });
      responses.push({ id: stored.activity.id ?? '' });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    // Web Chat shows what it received; rewriting history is not offered on this channel yet.
    throw new Error('updateActivity is not supported on Dialogo Direct Line');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('deleteActivity is not supported on Dialogo Direct Line');
  }

  private referenceOf(conversation: DirectLineConversation): Partial<ConversationReference> {
    return {
      channelId: DIRECTLINE_CHANNEL_ID,
      serviceUrl: conversation.serviceUrl,
      conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      user: userOf(conversation),
      bot: this.bot,
      locale: conversation.locale,
    };
  }

  /** The fields the channel, not the sender, decides. */
  private envelope(conversation: DirectLineConversation, from: ChannelAccount, recipient: ChannelAccount): Partial<Activity> {
    return {
      channelId: DIRECTLINE_CHANNEL_ID,
      serviceUrl: conversation.serviceUrl,
      conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      from,
      recipient,
      timestamp: new Date(),
    };
  }

  private async append(conversationId: string, activity: Partial<Activity>): Promise<StoredActivity> {
    const stored = await this.store.append(conversationId, activity);
    for (const listener of this.listeners) {
      try {
        listener(conversationId, [stored]);
      } catch (error) {
        this.onError(error, conversationId);
      }
    }
    return stored;
  }

  private async runTurn(activity: Partial<Activity>, conversation: DirectLineConversation): Promise<void> {
    const context = new TurnContext(this, activity);
    context.turnState.set(CONVERSATION, conversation);
    // runMiddleware hands errors of the bot to onTurnError; what escapes that is only reported.
    await this.runMiddleware(context, this.botLogic);
  }

  /** Chains `work` after the conversation's previous turn; resolves when it is done (never rejects). */
  private enqueue(conversationId: string, work: () => Promise<void>): Promise<void> {
    return this.turns.run(conversationId, work);
  }
}

function userOf(conversation: DirectLineConversation): ChannelAccount {
  return { id: conversation.userId, name: '', role: 'user' };
}
