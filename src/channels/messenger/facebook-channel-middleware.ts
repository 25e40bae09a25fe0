import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { GET_STARTED_PAYLOAD, MENU_PAYLOAD, MESSENGER_CHANNEL_ID } from './messenger-adapter';
import { cut, decodePayload, LIMITS, splitText } from './render';

/**
 * Messenger traffic relayed by Azure Bot Service's Facebook channel (channelId `facebook`
 * through /api/messages) gets the same treatment as Dialogo's own webhook: quick-reply and
 * postback payloads are read as the bot's own buttons, and replies are shaped to Messenger's
 * limits before the Bot Connector sees them (text split at 2,000 characters, at most 13
 * suggested actions with titles of 20 characters, no Markdown). Other channels pass untouched.
 *
 * @example
 * cloudAdapter.use(new FacebookChannelMiddleware());
 */
export class FacebookChannelMiddleware implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.channelId !== MESSENGER_CHANNEL_ID) return next();
    readPayloads(context.activity);
    context.onSendActivities(async (_ctx, activities, nextSend) => {
      const shaped = activities.flatMap(shapeForMessenger);
      activities.splice(0, activities.length, ...shaped);
      return nextSend();
    });
    return next();
  }
}

/** One reply shaped to Messenger's limits; long text becomes several activities. */
export function shapeForMessenger(activity: Partial<Activity>): Partial<Activity>[] {
  if (activity.type !== ActivityTypes.Message) return [activity];
  const text = typeof activity.text === 'string' ? activity.text : '';
  const pieces = text.length > 0 ? splitText(text, LIMITS.text) : [''];
  const actions = activity.suggestedActions?.actions.slice(0, LIMITS.quickReplies).map((a) => ({ ...a, title: cut(String(a.title ?? a.value ?? ''), LIMITS.quickReplyTitle) }));
  return pieces.map((piece, index) => {
    const last = index === pieces.length - 1;
    const shaped: Partial<Activity> = { ...activity, text: piece };
    if (!last) {
      delete shaped.suggestedActions;
      delete shaped.attachments;
    } else if (actions && activity.suggestedActions) {
      shaped.suggestedActions = { ...activity.suggestedActions, actions };
    }
    return shaped;
  });
}

/** Azure relays Messenger's event in channelData: a tapped quick reply or a postback becomes the bot's own value. */
function readPayloads(activity: Activity): void {
  const data = activity.channelData as { message?: { quick_reply?: { payload?: unknown } }; postback?: { payload?: unknown; title?: unknown } } | undefined;
  const quick = data?.message?.quick_reply?.payload;
  const postback = data?.postback?.payload;
  const payload = typeof quick === 'string' ? quick : typeof postback === 'string' ? postback : undefined;
  if (payload === undefined || activity.type !== ActivityTypes.Message) return;
  if (payload === GET_STARTED_PAYLOAD) {
    activity.text = '';
    activity.value = { dialogo: 'welcome' };
    return;
  }
  const menu = MENU_PAYLOAD.exec(payload);
  if (menu) {
    activity.value = { dialogo: menu[1] };
    activity.locale = menu[2] === 'en' ? 'en-US' : 'it-IT';
    return;
  }
  const decoded = decodePayload(payload);
  if (decoded.text !== undefined) activity.text = decoded.text;
  if (decoded.value !== undefined) activity.value = decoded.value;
}
