import { z } from 'zod';

/**
 * The Messenger Platform webhook payloads Dialogo reads, validated with zod. Only the fields
 * Dialogo uses are checked; everything else Meta adds is kept and ignored, so a new field
 * never breaks the channel. Shapes from the Messenger Platform webhook reference
 * (messages, messaging_postbacks, message_echoes, message_deliveries, message_reads, standby).
 */
const account = z.looseObject({ id: z.string().min(1).max(64) });

const attachmentSchema = z.looseObject({
  type: z.string(),
  payload: z.looseObject({ url: z.string().optional(), sticker_id: z.number().optional() }).nullish(),
});

const messagingSchema = z.looseObject({
  sender: account,
  recipient: account,
  timestamp: z.number().int().nonnegative(),
  message: z
    .looseObject({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      quick_reply: z.looseObject({ payload: z.string() }).optional(),
      attachments: z.array(attachmentSchema).optional(),
    })
    .optional(),
  postback: z.looseObject({ payload: z.string().optional(), title: z.string().optional(), mid: z.string().optional() }).optional(),
  delivery: z.unknown().optional(),
  read: z.unknown().optional(),
});

export const webhookSchema = z.object({
  object: z.literal('page'),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      time: z.number(),
      messaging: z.array(z.unknown()).optional(),
      standby: z.array(z.unknown()).optional(),
    }),
  ),
});

export type MessengerWebhook = z.infer<typeof webhookSchema>;
export type MessengerAttachment = z.infer<typeof attachmentSchema>;

interface Base {
  /** Page-scoped id of the citizen. */
  readonly psid: string;
  readonly pageId: string;
  readonly timestamp: number;
  /** The event as Meta sent it (kept on the activity's channelData). */
  readonly raw: Record<string, unknown>;
}

/** A webhook event, sorted into what Dialogo does with it. */
export type MessengerEvent =
  | (Base & { readonly kind: 'message'; readonly mid: string; readonly text?: string; readonly quickReplyPayload?: string; readonly attachments: readonly MessengerAttachment[] })
  | (Base & { readonly kind: 'postback'; readonly mid?: string; readonly payload: string; readonly title?: string })
  | (Base & { readonly kind: 'echo' | 'delivery' | 'read' | 'standby' | 'other'; readonly fields: readonly string[] });

/** An event that could not be read; logged and acknowledged, never processed. */
export interface UnreadableEvent {
  readonly kind: 'unreadable';
  readonly problems: readonly string[];
}

/**
 * The events of a webhook delivery in the order Meta sent them: entries in order, events of
 * each entry in order. Events in `standby` (another app holds the thread) are marked so.
 *
 * @example
 * for (const event of eventsOf(webhookSchema.parse(body))) if (event.kind === 'message') ...
 */
export function eventsOf(webhook: MessengerWebhook): (MessengerEvent | UnreadableEvent)[] {
  const events: (MessengerEvent | UnreadableEvent)[] = [];
  for (const entry of webhook.entry) {
    for (const raw of entry.messaging ?? []) events.push(classify(raw, entry.id, false));
    for (const raw of entry.standby ?? []) events.push(classify(raw, entry.id, true));
  }
  return events;
}

function classify(raw: unknown, pageId: string, standby: boolean): MessengerEvent | UnreadableEvent {
  const parsed = messagingSchema.safeParse(raw);
  if (!parsed.success) {
    return { kind: 'unreadable', problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`) };
  }
  const event = parsed.data;
  // The sender of an echo is the page itself; the citizen is the recipient.
  const base: Base = { psid: event.message?.is_echo ? event.recipient.id : event.sender.id, pageId, timestamp: event.timestamp, raw: event };
  const fields = Object.keys(event).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  if (standby) return { ...base, kind: 'standby', fields };
  if (event.message?.is_echo) return { ...base, kind: 'echo', fields };
  if (event.message) {
    return {
      ...base,
      kind: 'message',
      mid: event.message.mid,
      text: event.message.text,
      quickReplyPayload: event.message.quick_reply?.payload,
      attachments: event.message.attachments ?? [],
    };
  }
  if (event.postback) {
    return { ...base, kind: 'postback', mid: event.postback.mid, payload: event.postback.payload ?? event.postback.title ?? '', title: event.postback.title };
  }
  if (event.delivery !== undefined) return { ...base, kind: 'delivery', fields };
  if (event.read !== undefined) return { ...base, kind: 'read', fields };
  return { ...base, kind: 'other', fields };
}
