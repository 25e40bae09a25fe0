import {
  ActivityTypes,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import type { Logger } from '../../logger';
import type { TurnLock } from '../keyed-serial-queue';
import { SerialChannelAdapter } from '../serial-channel-adapter';
import type { GraphClient, SendOptions } from './graph-client';
import { MessagingWindowError, sendPolicy, type Admission, type Author, type ThreadClock } from './messaging-window';
import { decodePayload, renderActivity } from './render';
import { TurnPacer } from './turn-pacer';
import { eventsOf, type MessengerAttachment, type MessengerEvent, type MessengerWebhook } from './webhook';

/** channelId of Messenger activities, as Azure Bot Service's Facebook channel names it. */
export const MESSENGER_CHANNEL_ID = 'facebook';
/** serviceUrl of activities from Dialogo's own webhook (Azure's Facebook channel has its own). */
export const MESSENGER_SERVICE_URL = 'https://graph.facebook.com';
/** Payload of the Get Started button. */
export const GET_STARTED_PAYLOAD = 'DIALOGO_GET_STARTED';
/** Payloads of persistent-menu items: `DIALOGO_MENU:<command>:<it|en>`. */
export const MENU_PAYLOAD = /^DIALOGO_MENU:(frequent|operator|contacts):(it|en)$/;
/** The "like" stickers Messenger sends for its thumbs-up button (three sizes). */
const THUMBS_UP_STICKERS = new Set([369239263222822, 369239343222814, 369239383222810]);

const AUTHOR = Symbol('messenger.author');

export interface MessengerAdapterOptions {
  readonly graph: GraphClient;
  readonly threads: ThreadClock;
  readonly botLogic: (context: TurnContext) => Promise<void>;
  readonly logger: Logger;
  /** When set, events for any other page are ignored (one deployment, one page). */
  readonly pageId?: string;
  readonly now?: () => number;
  /** Cluster mode: the coordinator's lock, so that one citizen's events on several instances run one at a time. */
  readonly turnLock?: TurnLock;
}

/**
 * Dialogo on Facebook Messenger without Azure: webhook events become Bot Framework activities
 * (channelId `facebook`, the page-scoped id as the user, as Azure's Facebook channel does) and
 * what the bot sends becomes Send API calls, under Messenger's messaging-window rules. Events
 * of one citizen run one at a time, in the order Meta sent them; an event already processed (a
 * redelivery, or a signed body replayed even after a restart) or older than Meta's redelivery
 * window is acknowledged and not answered.
 *
 * @example
 * const adapter = new MessengerAdapter({ graph, threads, botLogic: (ctx) => bot.run(ctx), logger });
 * adapter.use(interactionMiddleware);
 * await adapter.processWebhook(webhook);
 * await adapter.sendToConversation(conversationId, { type: 'message', text: 'Sono Giulia del 020202.' }, 'operator');
 */
export class MessengerAdapter extends SerialChannelAdapter {
  private readonly now: () => number;
  private readonly pacer = new TurnPacer();

  constructor(private readonly options: MessengerAdapterOptions) {
    super((error, psid) => options.logger.error({ err: error, channel: MESSENGER_CHANNEL_ID, psid }, 'messenger event failed'), options.turnLock);
    this.now = options.now ?? Date.now;
  }

  /**
   * Processes every event of a delivery; resolves when all are done. Never rejects: what cannot
   * be processed is logged.
   */
  async processWebhook(webhook: MessengerWebhook): Promise<void> {
    const { logger } = this.options;
    const work: Promise<void>[] = [];
    for (const event of eventsOf(webhook)) {
      if (event.kind === 'unreadable') {
        logger.warn({ channel: MESSENGER_CHANNEL_ID, problems: event.problems }, 'messenger event not understood; acknowledged and skipped');
        continue;
      }
      if (this.options.pageId && event.pageId !== this.options.pageId) {
        logger.warn({ channel: MESSENGER_CHANNEL_ID, pageId: event.pageId }, 'messenger event for another page; skipped');
        continue;
      }
      if (event.kind !== 'message' && event.kind !== 'postback') {
        // Echoes of our own sends, receipts, and events while another app holds the thread.
        const level = event.kind === 'other' ? 'info' : 'debug';
        logger[level]({ channel: MESSENGER_CHANNEL_ID, kind: event.kind, fields: event.fields }, 'messenger event ignored');
        continue;
      }
      // Enqueued in delivery order, so one citizen's events run in order, and the check against
      // the events already processed runs in that order too. Each turn starts on an event-loop
      // iteration of its own, so that other deliveries are read and acknowledged meanwhile.
      work.push(
        this.turns.run(event.psid, async () => {
          await this.pacer.next();
          await this.handleOnce(event);
        }),
      );
    }
    await Promise.all(work);
  }

  /**
   * Sends a message to a Messenger conversation from outside a turn: an operator's message
   * (`author: 'operator'`, which may use the HUMAN_AGENT tag) or a notification of the bot.
   * Rejects with {@link MessagingWindowError} when Messenger's rules forbid it.
   */
  async sendToConversation(conversationId: string, activity: Partial<Activity>, author: Author = 'bot'): Promise<ResourceResponse> {
    const { psid, pageId } = parseConversationId(conversationId);
    let response: ResourceResponse | undefined;
    await this.continueConversation(referenceOf(psid, pageId), async (context) => {
      context.turnState.set(AUTHOR, author);
      response = await context.sendActivity(activity);
    });
    return response ?? { id: '' };
  }

  protected keyOf(reference: Partial<ConversationReference>): string {
    const psid = reference.user?.id;
    if (!psid || !reference.bot?.id) throw new Error('continueConversation needs reference.user.id and reference.bot.id');
    return psid;
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const author = (context.turnState.get(AUTHOR) as Author | undefined) ?? 'bot';
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (await this.paced(activity)) {
        responses.push({ id: '' });
        continue;
      }
      const psid = activity.recipient?.id ?? context.activity.from?.id;
      const pageId = activity.from?.id ?? context.activity.recipient?.id;
      if (!psid || !pageId) throw new Error('a Messenger reply needs the citizen (recipient.id) and the page (from.id)');
      const rendered = renderActivity(activity);
      if (rendered.skipped.length > 0) this.options.logger.info({ channel: MESSENGER_CHANNEL_ID, skipped: rendered.skipped }, 'parts of a reply cannot be shown on Messenger');
      let id = '';
      for (const outgoing of rendered.outgoing) {
        if (outgoing.kind === 'action') {
          await this.sendAction(psid, outgoing.action);
          continue;
        }
        const policy = sendPolicy(await this.options.threads.lastInboundAt(pageId, psid), this.now(), author);
        if (!policy.allowed) throw new MessagingWindowError(policy.code, policy.reason);
        const result = await this.options.graph.send({
          recipient: { id: psid },
          messaging_type: policy.messagingType,
          ...(policy.messagingType === 'MESSAGE_TAG' ? { tag: policy.tag } : {}),
          message: outgoing.message,
        });
        id = result.message_id ?? id;
      }
      responses.push({ id });
    }
    return responses;
  }

  /** Closes the Graph client's idle keep-alive sockets (at shutdown, once the turns are drained). */
  close(): void {
    this.options.graph.close();
  }

  override async updateActivity(): Promise<void> {
    throw new Error('Messenger does not let a page edit a message it sent');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('Messenger does not let a page delete a message it sent');
  }

  /**
   * Runs the event unless it was already processed (a redelivery, or a signed body replayed, even
   * after a restart) or is older than Meta's redelivery window. Both are acknowledged already.
   */
  private async handleOnce(event: Extract<MessengerEvent, { kind: 'message' | 'postback' }>): Promise<void> {
    const { logger, threads } = this.options;
    const key = event.mid ?? `postback|${event.psid}|${event.timestamp}|${event.kind === 'postback' ? event.payload : ''}`;
    let admission: Admission = 'new';
    try {
      admission = await threads.admit(event.pageId, event.psid, { key, timestamp: event.timestamp }, this.now());
    } catch (error) {
      // Without the store a redelivery might run twice; the citizen still gets an answer.
      logger.warn({ err: error, channel: MESSENGER_CHANNEL_ID }, 'messenger thread not stored; event processed, messaging window kept in memory');
    }
    if (admission === 'redelivery') {
      logger.info({ channel: MESSENGER_CHANNEL_ID, mid: event.mid }, 'messenger event already processed; acknowledged and skipped');
      return;
    }
    if (admission === 'stale') {
      logger.warn({ channel: MESSENGER_CHANNEL_ID, mid: event.mid, ageMs: this.now() - event.timestamp }, 'messenger event older than the redelivery window; acknowledged and ignored');
      return;
    }
    await this.handle(event);
  }

  private async handle(event: Extract<MessengerEvent, { kind: 'message' | 'postback' }>): Promise<void> {
    const context = new TurnContext(this, activityOf(event));
    // The citizen's Send API calls keep their order (GraphClient's lanes): typing_on goes out
    // before the answer, never after it, and is skipped when the answer is already queued behind it.
    this.sendAction(event.psid, 'typing_on', { skipIfSuperseded: true }).catch((error: unknown) =>
      this.options.logger.info({ err: error, channel: MESSENGER_CHANNEL_ID }, 'typing_on not sent'),
    );
    await this.runMiddleware(context, this.options.botLogic);
    // A turn that answers nothing (the citizen is with an operator, or the event needs no answer)
    // would leave the dots of typing_on showing for Messenger's 20 seconds: take them down.
    if (!context.responded) {
      await this.sendAction(event.psid, 'typing_off').catch((error: unknown) =>
        this.options.logger.info({ err: error, channel: MESSENGER_CHANNEL_ID }, 'typing_off not sent'),
      );
    }
  }

  private async sendAction(psid: string, action: 'typing_on' | 'typing_off' | 'mark_seen', options: SendOptions = {}): Promise<void> {
    await this.options.graph.send({ recipient: { id: psid }, sender_action: action }, options);
  }
}

/** The conversation id of a citizen and a page, as Azure's Facebook channel forms it. */
export function conversationIdOf(psid: string, pageId: string): string {
  return `${psid}-${pageId}`;
}

export function parseConversationId(conversationId: string): { psid: string; pageId: string } {
  const match = /^([^-\s]+)-([^-\s]+)$/.exec(conversationId);
  if (!match?.[1] || !match[2]) throw new Error(`not a Messenger conversation id: ${conversationId}`);
  return { psid: match[1], pageId: match[2] };
}

function referenceOf(psid: string, pageId: string): Partial<ConversationReference> {
  return {
    channelId: MESSENGER_CHANNEL_ID,
    serviceUrl: MESSENGER_SERVICE_URL,
    conversation: { id: conversationIdOf(psid, pageId), isGroup: false, conversationType: 'personal', name: '' },
    user: { id: psid, name: '', role: 'user' },
    bot: { id: pageId, name: 'Comune di Milano', role: 'bot' },
  };
}

/** A webhook event as the activity the bot reads. */
export function activityOf(event: Extract<MessengerEvent, { kind: 'message' | 'postback' }>): Partial<Activity> {
  const base: Partial<Activity> = {
    ...TurnContext.applyConversationReference({}, referenceOf(event.psid, event.pageId), true),
    id: event.mid ?? `${event.psid}-${event.timestamp}`,
    timestamp: new Date(event.timestamp),
    channelData: event.raw,
  };
  if (event.kind === 'postback') {
    if (event.payload === GET_STARTED_PAYLOAD) {
      return { ...base, type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: event.psid, name: '' }] };
    }
    const menu = MENU_PAYLOAD.exec(event.payload);
    if (menu) return { ...base, type: ActivityTypes.Message, text: event.title ?? '', value: { dialogo: menu[1] }, locale: menu[2] === 'en' ? 'en-US' : 'it-IT' };
    const { text, value } = decodePayload(event.payload);
    return { ...base, type: ActivityTypes.Message, text: text ?? event.title ?? '', ...(value !== undefined ? { value } : {}) };
  }
  if (event.quickReplyPayload !== undefined) {
    const { text, value } = decodePayload(event.quickReplyPayload);
    return { ...base, type: ActivityTypes.Message, text: text ?? event.text ?? '', ...(value !== undefined ? { value } : {}) };
  }
  if (!event.text && event.attachments.some((a) => THUMBS_UP_STICKERS.has(a.payload?.sticker_id ?? -1))) {
    return { ...base, type: ActivityTypes.Message, text: '👍' };
  }
  return {
    ...base,
    type: ActivityTypes.Message,
    text: event.text ?? '',
    ...(event.attachments.length > 0 ? { attachments: event.attachments.map(attachmentOf) } : {}),
  };
}

function attachmentOf(attachment: MessengerAttachment): { contentType: string; contentUrl?: string; name: string } {
  const contentType = attachment.type === 'image' ? 'image/*' : attachment.type === 'video' ? 'video/*' : attachment.type === 'audio' ? 'audio/*' : `application/vnd.facebook.${attachment.type}`;
  return { contentType, name: attachment.type, ...(attachment.payload?.url ? { contentUrl: attachment.payload.url } : {}) };
}
