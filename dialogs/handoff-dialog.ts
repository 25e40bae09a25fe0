import { ActionTypes, ActivityTypes, EventFactory, MessageFactory, TurnContext, type Activity, type CardAction } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from './sdk';
import { z } from 'zod';
import { TURN_LANGUAGE, type HandoffData } from '../src/bot/dialogo-data';
import { describeWait, fill, HANDOFF, NO, YES } from '../src/bot/handoff-messages';
import { humanContact, type ContactInfo } from '../src/bot/messages';
import type { HandoffService } from '../src/handoff/handoff-service';
import type { Language } from '../src/knowledge/topic-schema';
import { normalize } from '../src/nlu/normalize';
import type { TranscriptEntry } from '../src/storage/ports';

export const HANDOFF_DIALOG = 'handoffDialog';

/** Longest one-line description of the need. */
export const MAX_DESCRIPTION_CHARS = 300;
const MAX_EMAIL_ATTEMPTS = 3;
const emailSchema = z.email();

type Step = 'confirm' | 'describe' | 'consent' | 'ticket-offer' | 'email' | 'ticket-describe' | 'ticket-confirm';

/** What the handoff dialog remembers between turns. */
interface HandoffDialogState {
  step: Step;
  language: Language;
  topicId: string | null;
  description?: string;
  email?: string;
  emailAttempts: number;
}

/** How the dialog begins: offering a person, or straight to the written request. */
export interface HandoffDialogOptions {
  readonly start: 'offer' | 'ticket';
  readonly language: Language;
  readonly topicId: string | null;
  readonly description?: string;
}

/** Returned to the FAQ dialog when the citizen answered with a question instead: it handles the turn. */
export interface HandoffDialogResult {
  readonly reprocess: boolean;
}

export interface HandoffDialogDependencies {
  readonly handoff: HandoffService;
  readonly contact: ContactInfo;
  /** The conversation so far, redacted, for the operator. */
  readonly transcriptOf: (context: TurnContext) => Promise<TranscriptEntry[]>;
  /** `external`: emit `handoff.initiate` for an agent hub instead of the built-in console. */
  readonly mode: 'console' | 'external';
  /**
   * The topic of the citizen's description of the need, when the recognizer is confident enough;
   * null otherwise. Without it, the request keeps the topic of the message that led to the offer.
   */
  readonly topicOf?: (text: string, language: Language) => Promise<string | null>;
}

/**
 * The citizen's side of the handoff, before the queue: confirm, a one-line description, consent
 * to share the conversation, then the queue; or, outside office hours or with the queue full,
 * the written request (e-mail, description, confirmation, reference code). Once queued, the
 * citizen's turns are handled by the bot's handoff gate, not by this dialog.
 *
 * @example
 * faqDialog.addDialog(new HandoffDialog({ handoff, contact, transcriptOf, mode: 'console' }));
 * await dc.beginDialog(HANDOFF_DIALOG, { start: 'offer', language: 'it', topicId: 'tari-pagamento' });
 */
export class HandoffDialog extends Dialog<HandoffDialogOptions> {
  constructor(private readonly deps: HandoffDialogDependencies) {
    super(HANDOFF_DIALOG);
    if (!deps?.handoff) throw new Error('HandoffDialog needs the handoff service');
  }

  override async beginDialog(dc: DialogContext, options?: HandoffDialogOptions): Promise<DialogTurnResult> {
    const state: HandoffDialogState = {
      step: 'confirm',
      language: options?.language ?? 'it',
      topicId: options?.topicId ?? null,
      description: options?.description,
      emailAttempts: 0,
    };
    dc.activeDialog!.state = state;
    dc.context.turnState.set(TURN_LANGUAGE, state.language);
    if (state.description) await this.fileUnder(state, state.description);
    if (options?.start === 'ticket') return this.askEmail(dc, state);
    const availability = await this.deps.handoff.availability();
    if (!availability.open) return this.offerTicket(dc, state, availability.reason);
    await this.say(dc.context, state, HANDOFF.confirm[state.language], [HANDOFF.yes, HANDOFF.no]);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as HandoffDialogState;
    const { context } = dc;
    context.turnState.set(TURN_LANGUAGE, state.language);
    if (context.activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const text = typeof context.activity.text === 'string' ? context.activity.text.trim() : '';
    const answer = yesNo(text);
    const language = state.language;

    switch (state.step) {
      case 'confirm':
        if (answer === 'yes') {
          state.step = 'describe';
          await this.say(context, state, HANDOFF.describe[language]);
          return Dialog.EndOfTurn;
        }
        if (answer === 'no') return this.finish(dc, state, HANDOFF.declined[language]);
        return dc.endDialog({ reprocess: true } satisfies HandoffDialogResult);
      case 'describe':
        if (text.length === 0 || text.length > MAX_DESCRIPTION_CHARS) {
          await this.say(context, state, text.length === 0 ? HANDOFF.describe[language] : HANDOFF.describeTooLong[language]);
          return Dialog.EndOfTurn;
        }
        state.description = text;
        await this.fileUnder(state, text);
        state.step = 'consent';
        await this.say(context, state, HANDOFF.consent[language], [HANDOFF.agree, HANDOFF.disagree]);
        return Dialog.EndOfTurn;
      case 'consent':
        if (answer === 'yes') return this.enqueue(dc, state);
        if (answer === 'no') return this.finish(dc, state, HANDOFF.noConsent[language], 'closed');
        await this.say(context, state, HANDOFF.consent[language], [HANDOFF.agree, HANDOFF.disagree]);
        return Dialog.EndOfTurn;
      case 'ticket-offer':
        if (answer === 'yes') return this.askEmail(dc, state);
        if (answer === 'no') return this.finish(dc, state, humanContact(language, this.deps.contact), 'closed');
        return dc.endDialog({ reprocess: true } satisfies HandoffDialogResult);
      case 'email': {
        if (answer === 'no') return this.finish(dc, state, HANDOFF.ticketCancelled[language], 'closed');
        const email = emailSchema.safeParse(text);
        if (!email.success) {
          state.emailAttempts += 1;
          if (state.emailAttempts >= MAX_EMAIL_ATTEMPTS) return this.finish(dc, state, HANDOFF.gaveUp[language], 'closed');
          await this.say(context, state, HANDOFF.badEmail[language], [], 'ticket');
          return Dialog.EndOfTurn;
        }
        state.email = email.data;
        if (!state.description) {
          state.step = 'ticket-describe';
          await this.say(context, state, HANDOFF.askTicketDescription[language], [], 'ticket');
          return Dialog.EndOfTurn;
        }
        return this.confirmTicket(dc, state);
      }
      case 'ticket-describe':
        if (text.length === 0) {
          await this.say(context, state, HANDOFF.askTicketDescription[language], [], 'ticket');
          return Dialog.EndOfTurn;
        }
        state.description = text.slice(0, 2000);
        await this.fileUnder(state, state.description);
        return this.confirmTicket(dc, state);
      case 'ticket-confirm': {
        if (answer === 'no') return this.finish(dc, state, HANDOFF.ticketCancelled[language], 'closed');
        if (answer !== 'yes') return this.confirmTicket(dc, state);
        const activity = context.activity;
        const ticket = await this.deps.handoff.createTicket({
          channel: activity.channelId,
          conversationId: activity.conversation.id,
          userId: activity.from?.id,
          language,
          topicId: state.topicId,
          contactEmail: state.email ?? '',
          description: state.description ?? '',
          // What led to the request, for the operator who answers it (a queued session carries its own).
          transcript: await this.deps.transcriptOf(context),
        });
        return this.finish(dc, state, fill(HANDOFF.ticketCreated[language], { reference: ticket.reference }), 'ticket');
      }
    }
  }

  /** The request is filed under the topic its description is about, when that is clear. */
  private async fileUnder(state: HandoffDialogState, description: string): Promise<void> {
    const topicId = await this.deps.topicOf?.(description, state.language);
    if (topicId) state.topicId = topicId;
  }

  private async enqueue(dc: DialogContext, state: HandoffDialogState): Promise<DialogTurnResult> {
    const { context } = dc;
    const availability = await this.deps.handoff.availability();
    if (!availability.open) return this.offerTicket(dc, state, availability.reason);
    const transcript = await this.deps.transcriptOf(context);
    const reference = TurnContext.getConversationReference(context.activity) as unknown as Record<string, unknown>;
    const entry = await this.deps.handoff.enqueue({
      channel: context.activity.channelId,
      conversationId: context.activity.conversation.id,
      reference,
      language: state.language,
      topicId: state.topicId,
      description: state.description ?? '',
      transcript,
    });
    const handoff: HandoffData = { state: 'queued', position: entry.position, etaSeconds: entry.etaSeconds };
    if (this.deps.mode === 'external') {
      await this.say(context, state, HANDOFF.handingToAgentHub[state.language], [], handoff);
      const initiate = EventFactory.createHandoffInitiation(
        context,
        { sessionId: entry.session.id, description: entry.session.description, topicId: state.topicId, language: state.language, phoneCode: entry.session.phoneCode },
        { activities: transcript.map((t) => transcriptActivity(context, t)) },
      );
      await context.sendActivity(initiate);
      return dc.endDialog({ reprocess: false } satisfies HandoffDialogResult);
    }
    const text = fill(HANDOFF.queued[state.language], {
      position: entry.position ?? 1,
      eta: describeWait(entry.etaSeconds, state.language),
      code: entry.session.phoneCode,
    });
    await this.say(context, state, text, [HANDOFF.leaveButton], handoff);
    return dc.endDialog({ reprocess: false } satisfies HandoffDialogResult);
  }

  private async offerTicket(dc: DialogContext, state: HandoffDialogState, reason: 'closed' | 'full' | 'no-operator'): Promise<DialogTurnResult> {
    state.step = 'ticket-offer';
    const text =
      reason === 'closed'
        ? fill(HANDOFF.unavailableClosed[state.language], { hours: this.deps.handoff.describeHours(state.language) })
        : reason === 'no-operator'
          ? HANDOFF.unavailableNoOperator[state.language]
          : HANDOFF.unavailableFull[state.language];
    await this.say(dc.context, state, text, [HANDOFF.yes, HANDOFF.no]);
    return Dialog.EndOfTurn;
  }

  private async askEmail(dc: DialogContext, state: HandoffDialogState): Promise<DialogTurnResult> {
    state.step = 'email';
    await this.say(dc.context, state, HANDOFF.askEmail[state.language], [HANDOFF.cancelButton], 'ticket');
    return Dialog.EndOfTurn;
  }

  private async confirmTicket(dc: DialogContext, state: HandoffDialogState): Promise<DialogTurnResult> {
    state.step = 'ticket-confirm';
    const text = fill(HANDOFF.confirmTicket[state.language], { description: state.description ?? '', email: state.email ?? '' });
    await this.say(dc.context, state, text, [HANDOFF.confirmButton, HANDOFF.cancelButton], 'ticket');
    return Dialog.EndOfTurn;
  }

  private async finish(dc: DialogContext, state: HandoffDialogState, text: string, handoffState: HandoffData['state'] = 'closed'): Promise<DialogTurnResult> {
    await this.say(dc.context, state, text, [], handoffState);
    return dc.endDialog({ reprocess: false } satisfies HandoffDialogResult);
  }

  private async say(
    context: TurnContext,
    state: HandoffDialogState,
    text: string,
    buttons: readonly { it: string; en: string }[] = [],
    handoff: HandoffData | HandoffData['state'] = 'offered',
  ): Promise<void> {
    const actions: CardAction[] = buttons.map((b) => ({ type: ActionTypes.ImBack, title: b[state.language], value: b[state.language] }));
    const activity: Partial<Activity> = actions.length > 0 ? MessageFactory.suggestedActions(actions, text) : MessageFactory.text(text);
    const data: HandoffData = typeof handoff === 'string' ? { state: handoff, position: null, etaSeconds: null } : handoff;
    activity.channelData = { dialogo: { topicId: state.topicId, confidence: null, outcome: 'handoff', handoff: data } };
    activity.textFormat = 'plain';
    await context.sendActivity(activity);
  }
}

/** yes / no / neither, in Italian or English, typed or tapped. */
export function yesNo(text: string): 'yes' | 'no' | undefined {
  const plain = text.trim().toLowerCase();
  const normalized = normalize(text);
  if (YES.has(plain) || YES.has(normalized)) return 'yes';
  if (NO.has(plain) || NO.has(normalized)) return 'no';
  return undefined;
}

function transcriptActivity(context: TurnContext, entry: TranscriptEntry): Activity {
  const fromBot = entry.from !== 'citizen';
  return {
    type: ActivityTypes.Message,
    text: entry.text,
    timestamp: new Date(entry.at),
    from: fromBot ? context.activity.recipient : context.activity.from,
    recipient: fromBot ? context.activity.from : context.activity.recipient,
    conversation: context.activity.conversation,
    channelId: context.activity.channelId,
  } as Activity;
}
