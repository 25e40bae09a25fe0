import type { OperatorIdentity } from '../handoff/handoff-service';
import type { HandoffSession } from '../storage/ports';

/**
 * How much of a handoff conversation an operator may see:
 * - `full`: the session, the transcript with the bot and the live messages. Its holder (the
 *   operator who claimed it, also after it ended) and supervisors.
 * - `summary`: the card of a queued, unclaimed conversation (channel, language, topic, the
 *   citizen's one-line description, waiting time, phone code), what the queue shows every
 *   operator so that they can choose what to claim. Not the transcript: the citizen's words
 *   go to the operator who takes them in charge.
 * - `none`: a conversation held (or once held) by a colleague, or one that ended in the
 *   queue. Refused with 403 `CONVERSATION_FORBIDDEN`.
 */
export type ConversationAccess = 'full' | 'summary' | 'none';

/**
 * What `who` may see of `session` (see {@link ConversationAccess}); the one rule behind every
 * route and push of the operator API that names a conversation.
 *
 * @example
 * conversationAccess({ state: 'queued' }, { name: 'marco', role: 'operator', maxConcurrent: 3 }); // 'summary'
 */
export function conversationAccess(session: Pick<HandoffSession, 'state' | 'operator'>, who: OperatorIdentity): ConversationAccess {
  if (who.role === 'supervisor') return 'full';
  if (session.operator && session.operator === who.name) return 'full';
  if (session.state === 'queued') return 'summary';
  return 'none';
}

/**
 * Why `CONVERSATION_FORBIDDEN`, in Italian for the console (like the other refusals it shows).
 *
 * @example
 * forbiddenReason({ operator: 'giulia' }); // 'La conversazione è gestita da giulia: possono aprirla solo chi la gestisce e i supervisori.'
 */
export function forbiddenReason(session: Pick<HandoffSession, 'operator'>): string {
  return session.operator
    ? `La conversazione è gestita da ${session.operator}: possono aprirla solo chi la gestisce e i supervisori.`
    : 'La conversazione è terminata in coda: solo i supervisori possono aprirla.';
}
