import { ActivityTypes, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { imBack } from '../../dialogs/faq-buttons';
import type { HandoffService } from '../handoff/handoff-service';
import type { Language } from '../knowledge/topic-schema';
import { normalize } from '../nlu/normalize';
import type { HandoffSession } from '../storage/ports';
import { TURN_LANGUAGE, type HandoffData } from './dialogo-data';
import { describeWait, fill, HANDOFF, isEndChat, LEAVE, NO, WRITTEN_REQUEST } from './handoff-messages';

/**
 * Runs before the dialogs on every citizen message: while the citizen waits in the queue it
 * answers with the position (or lets them leave, or turn to a written request); while an
 * operator holds the conversation the bot stays silent and the message goes to the operator.
 * It also accepts `handoff.status` events from an external agent hub, and only from it.
 *
 * @example
 * const gate = new HandoffGate(handoff, 'external', (context) => context.adapter === cloudAdapter);
 * if (await gate.onMessage(context)) return; // handled: do not run the dialogs
 */
export class HandoffGate {
  /**
   * @param fromHub whether a turn arrived through the endpoint the agent hub talks to (the Bot
   * Framework endpoint, whose callers are authenticated), as opposed to Dialogo's own citizen
   * channels (Direct Line, Messenger), where anyone can post an event activity.
   */
  constructor(
    private readonly handoff: HandoffService,
    private readonly mode: 'console' | 'external',
    private readonly fromHub: (context: TurnContext) => boolean,
  ) {}

  /** True when the turn belongs to a handoff and the dialogs must not run. */
  async onMessage(context: TurnContext): Promise<boolean> {
    const { activity } = context;
    const session = await this.handoff.activeFor(activity.channelId, activity.conversation.id);
    if (!session) return false;
    context.turnState.set(TURN_LANGUAGE, session.language);
    const text = typeof activity.text === 'string' ? activity.text.trim() : '';
    const answering = this.handoff.citizenSeen(session);
    if (session.state === 'connected') {
      // The citizen's way out: the bot is back (console mode; an external hub ends its own chats).
      if (this.mode === 'console' && session.operator !== 'external' && isEndChat(text)) {
        const ended = await this.handoff.endConnected(session, 'citizen-ended');
        if (ended) await say(context, session.language, session, HANDOFF.citizenEnded[session.language], { state: 'closed', position: null, etaSeconds: null });
        return true;
      }
      if (this.mode === 'console' && session.operator !== 'external') {
        // A photo or file (Messenger) does not reach the console: the operator is told one came,
        // and the citizen that it cannot be seen, rather than both waiting on it.
        if (text.length === 0 && (activity.attachments?.length ?? 0) > 0) {
          await this.handoff.citizenMessage(session, HANDOFF.attachmentToOperatorNote[session.language]);
          await say(context, session.language, session, HANDOFF.attachmentNotRelayed[session.language], { state: 'connected', position: null, etaSeconds: null });
          return true;
        }
        // The operator answers; the bot says nothing.
        if (text.length > 0) await this.handoff.citizenMessage(session, text);
      }
      return true;
    }
    const plain = text.toLowerCase();
    const normalized = normalize(text);
    // After "do you still want to wait?", a plain "no" is an answer too.
    if (LEAVE.has(plain) || LEAVE.has(normalized) || (answering && (NO.has(plain) || NO.has(normalized)))) {
      await this.handoff.leave(session, 'left');
      await say(context, session.language, session, HANDOFF.left[session.language], { state: 'closed', position: null, etaSeconds: null });
      return true;
    }
    if (WRITTEN_REQUEST.has(plain) || WRITTEN_REQUEST.has(normalized)) {
      // Out of the queue, into the written request (the dialog asks for the e-mail).
      await this.handoff.leave(session, 'ticket');
      activity.value = { dialogo: 'ticket', description: session.description };
      return false;
    }
    if (text.length > 0 && !isKeepWaiting(plain)) await this.handoff.citizenMessage(session, text);
    const entry = await this.handoff.entryOf(session);
    const body = fill(HANDOFF.stillQueued[session.language], { position: entry.position ?? 1, eta: describeWait(entry.etaSeconds, session.language) });
    await say(context, session.language, session, body, { state: 'queued', position: entry.position, etaSeconds: entry.etaSeconds }, [HANDOFF.leaveButton]);
    return true;
  }

  /**
   * `handoff.status` from the external agent hub: accepted, completed or failed. True when
   * handled. From anywhere else (a citizen's channel, or any channel in console mode) it is
   * ignored: it would let a citizen mark their own session answered and skew the 020202 figures.
   */
  async onEvent(context: TurnContext): Promise<boolean> {
    const { activity } = context;
    if (activity.type !== ActivityTypes.Event || activity.name !== 'handoff.status') return false;
    if (this.mode !== 'external' || !this.fromHub(context)) return true;
    const state = (activity.value as { state?: unknown } | undefined)?.state;
    if (state !== 'accepted' && state !== 'completed' && state !== 'failed') return true;
    const session = await this.handoff.activeFor(activity.channelId, activity.conversation.id);
    if (!session) return true;
    const updated = await this.handoff.externalStatus(session, state);
    const language = session.language;
    if (updated && state === 'completed') {
      await say(context, language, session, fill(HANDOFF.closedOutcome[language], { outcome: language === 'en' ? 'request resolved' : 'richiesta risolta' }), { state: 'closed', position: null, etaSeconds: null });
    }
    if (updated && state === 'failed') await say(context, language, session, HANDOFF.gaveUp[language], { state: 'closed', position: null, etaSeconds: null });
    return true;
  }
}

function isKeepWaiting(plain: string): boolean {
  return [HANDOFF.keepWaitingButton, HANDOFF.stillWaitingYes].some((b) => plain === b.it.toLowerCase() || plain === b.en.toLowerCase());
}

const SHORT_BUTTONS = new Map<{ it: string; en: string }, { it: string; en: string }>([[HANDOFF.endChatButton, HANDOFF.endChatButtonShort]]);

/** A bot message of the handoff flow, with `channelData.dialogo.handoff`. */
export function handoffActivity(language: Language, session: HandoffSession, text: string, handoff: HandoffData, buttons: readonly { it: string; en: string }[] = []): Partial<Activity> {
  // With the short title a channel of 20-character buttons (Messenger) shows instead of cutting the label.
  const actions = buttons.map((b) => imBack(b[language], SHORT_BUTTONS.get(b)?.[language]));
  const activity: Partial<Activity> = actions.length > 0 ? MessageFactory.suggestedActions(actions, text) : MessageFactory.text(text);
  activity.channelData = { dialogo: { topicId: session.topicId, confidence: null, outcome: 'handoff', handoff } };
  activity.textFormat = 'plain';
  activity.locale = language === 'en' ? 'en-US' : 'it-IT';
  return activity;
}

async function say(context: TurnContext, language: Language, session: HandoffSession, text: string, handoff: HandoffData, buttons: readonly { it: string; en: string }[] = []): Promise<void> {
  await context.sendActivity(handoffActivity(language, session, text, handoff, buttons));
}
