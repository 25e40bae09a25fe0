import { ActionTypes, ActivityTypes, type Activity, type Attachment, type CardAction } from 'botbuilder';

/** Messenger Platform limits (Send API reference and template references). */
export const LIMITS = {
  text: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  payload: 1000,
  buttons: 3,
  buttonTitle: 20,
  templateText: 640,
  elementTitle: 80,
  elementSubtitle: 80,
  elements: 10,
} as const;

/** Prefix of quick-reply and postback payloads that carry a structured value (messageBack, objects). */
const JSON_PAYLOAD = 'dialogo:json:';

/** One Send API call: a message body, or a sender action. */
export type Outgoing =
  | { readonly kind: 'message'; readonly message: Record<string, unknown> }
  | { readonly kind: 'action'; readonly action: 'typing_on' | 'typing_off' | 'mark_seen' };

/** What rendering produced, and what it could not render (logged by the caller). */
export interface Rendered {
  readonly outgoing: Outgoing[];
  readonly skipped: readonly string[];
}

/**
 * Turns one Bot Framework activity into Send API calls: text split at 2,000 characters,
 * suggested actions as at most 13 quick replies on the last message (the action's `title`, the
 * bot's authored short title, as is when it fits in 20 characters, else cut at a word with "…";
 * its `value` as the payload), hero and thumbnail cards as generic templates (several cards: a
 * carousel of up to 10) or as a button template when a card is only text and buttons, at most 3
 * buttons each, images and files as attachments, `typing` as `typing_on`.
 *
 * @example
 * renderActivity({ type: 'message', text: 'Ciao', suggestedActions: { actions: [{ type: 'imBack', title: '👍', value: '👍' }], to: [] } });
 * // { outgoing: [{ kind: 'message', message: { text: 'Ciao', quick_replies: [...] } }], skipped: [] }
 */
export function renderActivity(activity: Partial<Activity>): Rendered {
  if (activity.type === ActivityTypes.Typing) return { outgoing: [{ kind: 'action', action: 'typing_on' }], skipped: [] };
  if (activity.type !== ActivityTypes.Message) return { outgoing: [], skipped: activity.type ? [`activity type ${activity.type}`] : [] };
  const skipped: string[] = [];
  const messages: Record<string, unknown>[] = [];
  const actions = activity.suggestedActions?.actions ?? [];
  const quickActions = actions.filter((a) => a.type !== ActionTypes.OpenUrl && a.type !== ActionTypes.Call);
  const linkActions = actions.filter((a) => a.type === ActionTypes.OpenUrl || a.type === ActionTypes.Call);

  let text = typeof activity.text === 'string' ? plainText(activity.text, activity.textFormat) : '';
  // Quick replies carry no links: links among the suggested actions become lines of the text.
  if (linkActions.length > 0) text = [text, ...linkActions.map((a) => `${a.title}: ${String(a.value ?? '')}`)].filter(Boolean).join('\n');
  for (const chunk of splitText(text, LIMITS.text)) messages.push({ text: chunk });

  const attachments = activity.attachments ?? [];
  const cards = attachments.filter((a) => isCard(a.contentType));
  if (cards.length > 0) messages.push(...renderCards(cards, skipped));
  for (const attachment of attachments) {
    if (isCard(attachment.contentType)) continue;
    const media = renderMedia(attachment);
    if (media) messages.push(media);
    else skipped.push(`attachment ${attachment.contentType}`);
  }

  if (quickActions.length > 0) {
    if (quickActions.length > LIMITS.quickReplies) skipped.push(`${quickActions.length - LIMITS.quickReplies} quick replies over ${LIMITS.quickReplies}`);
    const quickReplies = quickActions.slice(0, LIMITS.quickReplies).map((a) => ({ content_type: 'text', title: cut(quickReplyTitle(a), LIMITS.quickReplyTitle), payload: payloadOf(a) }));
    // Quick replies ride on a message: a bare list gets a minimal text to ride on.
    if (messages.length === 0) messages.push({ text: '…' });
    messages[messages.length - 1]!.quick_replies = quickReplies;
  }
  return { outgoing: messages.map((message) => ({ kind: 'message', message })), skipped };
}

/**
 * The citizen's tap or button press back as what the bot expects: the action's value as text,
 * or the structured value of a messageBack.
 */
export function decodePayload(payload: string): { text?: string; value?: unknown } {
  if (!payload.startsWith(JSON_PAYLOAD)) return { text: payload };
  try {
    const decoded = JSON.parse(payload.slice(JSON_PAYLOAD.length)) as { text?: unknown; value?: unknown };
    return { text: typeof decoded.text === 'string' ? decoded.text : undefined, value: decoded.value };
  } catch {
    return { text: payload };
  }
}

/** Splits text into pieces of at most `limit` characters, at a paragraph, line, sentence or word end when it can. */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const at = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf('. ') + 1, window.lastIndexOf(' ')].find((i) => i > limit / 2) ?? -1;
    let end = at > 0 ? at : limit;
    // Never split a surrogate pair (an emoji) in two.
    if (at <= 0 && /[\uD800-\uDBFF]/.test(rest.charAt(end - 1))) end -= 1;
    pieces.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

/**
 * What a quick reply shows: the action's title, or the short title the bot gave for channels with
 * short buttons (`channelData.shortTitle`) when the title does not fit: "Parla con operatore"
 * rather than "Parla con un…". The payload stays the whole value.
 */
function quickReplyTitle(action: CardAction): string {
  const title = String(action.title ?? action.value ?? '');
  const short = (action.channelData as { shortTitle?: unknown } | undefined)?.shortTitle;
  return Array.from(title).length > LIMITS.quickReplyTitle && typeof short === 'string' && short.trim() ? short : title;
}

/**
 * A title in at most `max` characters (counted as Messenger counts them): as is when it fits,
 * else cut at the last word that fits, with an ellipsis. A half word ("Prenota appuntament…")
 * reads as a typo; only a single word longer than `max` is cut inside.
 *
 * @example
 * cut('Costi', 20); // 'Costi'
 * cut('Parla con un operatore del 020202', 20); // 'Parla con un…'
 */
export function cut(title: string, max: number): string {
  const chars = Array.from(title.trim());
  if (chars.length <= max) return chars.join('');
  const room = chars.slice(0, max - 1);
  // No letter or digit right after the room: its last word is whole.
  const boundary = /[\p{L}\p{N}]/u.test(chars[max - 1] ?? '') ? lastSpace(room) : room.length;
  const kept = boundary > 0 ? room.slice(0, boundary) : room;
  return `${kept.join('').replace(/[\s,;:.\-–—(]+$/u, '')}…`;
}

function lastSpace(chars: readonly string[]): number {
  for (let i = chars.length - 1; i > 0; i -= 1) if (/\s/.test(chars[i] ?? '')) return i;
  return -1;
}

/** Messenger shows no Markdown: links become "label: url" and emphasis marks go. */
function plainText(text: string, format: string | undefined): string {
  if (format === 'plain') return text;
  return text
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '$1: $2')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/<br\s*\/?>/gi, '\n');
}

function isCard(contentType: string | undefined): boolean {
  return contentType === 'application/vnd.microsoft.card.hero' || contentType === 'application/vnd.microsoft.card.thumbnail';
}

interface HeroCard {
  title?: string;
  subtitle?: string;
  text?: string;
  images?: { url?: string }[];
  buttons?: CardAction[];
}

function renderCards(cards: Attachment[], skipped: string[]): Record<string, unknown>[] {
  const contents = cards.map((c) => (c.content ?? {}) as HeroCard);
  const onlyText = contents.length === 1 && !contents[0]?.images?.length && !contents[0]?.title && (contents[0]?.buttons?.length ?? 0) > 0;
  if (onlyText) {
    const card = contents[0]!;
    return [{ attachment: { type: 'template', payload: { template_type: 'button', text: cut(card.text ?? card.subtitle ?? '', LIMITS.templateText), buttons: buttons(card.buttons, skipped) } } }];
  }
  if (contents.length > LIMITS.elements) skipped.push(`${contents.length - LIMITS.elements} cards over ${LIMITS.elements}`);
  const elements = contents.slice(0, LIMITS.elements).map((card) => {
    const element: Record<string, unknown> = { title: cut(card.title ?? card.text ?? card.subtitle ?? '—', LIMITS.elementTitle) };
    const subtitle = card.subtitle ?? (card.title ? card.text : undefined);
    if (subtitle) element.subtitle = cut(subtitle, LIMITS.elementSubtitle);
    const image = card.images?.[0]?.url;
    if (image) element.image_url = image;
    if (card.buttons?.length) element.buttons = buttons(card.buttons, skipped);
    return element;
  });
  return [{ attachment: { type: 'template', payload: { template_type: 'generic', elements } } }];
}

function buttons(actions: CardAction[] | undefined, skipped: string[]): Record<string, unknown>[] {
  const all = actions ?? [];
  if (all.length > LIMITS.buttons) skipped.push(`${all.length - LIMITS.buttons} buttons over ${LIMITS.buttons}`);
  return all.slice(0, LIMITS.buttons).map((a) => {
    const title = cut(String(a.title ?? a.value ?? ''), LIMITS.buttonTitle);
    if (a.type === ActionTypes.OpenUrl) return { type: 'web_url', url: String(a.value), title };
    if (a.type === ActionTypes.Call) return { type: 'phone_number', title, payload: String(a.value).replace(/^tel:/, '') };
    return { type: 'postback', title, payload: payloadOf(a) };
  });
}

function payloadOf(action: CardAction): string {
  const structured = action.type === ActionTypes.MessageBack || (action.value !== undefined && typeof action.value !== 'string');
  const payload = structured ? `${JSON_PAYLOAD}${JSON.stringify({ text: action.text ?? action.displayText, value: action.value })}` : String(action.value ?? action.title ?? '');
  return payload.slice(0, LIMITS.payload);
}

function renderMedia(attachment: Attachment): Record<string, unknown> | undefined {
  const url = attachment.contentUrl;
  if (!url || !/^https?:\/\//.test(url)) return undefined;
  const type = attachment.contentType.startsWith('image/') ? 'image' : attachment.contentType.startsWith('video/') ? 'video' : attachment.contentType.startsWith('audio/') ? 'audio' : 'file';
  return { attachment: { type, payload: { url, is_reusable: true } } };
}
