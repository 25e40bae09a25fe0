import { ActionTypes, ActivityTypes, MessageFactory, type Activity, type CardAction, type TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { TURN_LANGUAGE, type DialogoData } from '../src/bot/dialogo-data';
import { HANDOFF_DIALOG, type HandoffDialogOptions, type HandoffDialogResult } from './handoff-dialog';
import { humanContact, MESSAGES, type ContactInfo } from '../src/bot/messages';
import type { KnowledgeRuntime } from '../src/bot/runtime';
import type { KnowledgeBase } from '../src/knowledge/knowledge-base';
import type { Language, Topic } from '../src/knowledge/topic-schema';
import { sameLink } from '../src/knowledge/topic-links';
import { normalize } from '../src/nlu/normalize';
import { DEFAULT_BANDS, type Recognition } from '../src/nlu/recognizer';

export const FAQ_DIALOG = 'faqDialog';

/** Longest question the bot reads; longer messages get a polite request to shorten. */
export const MAX_QUESTION_CHARS = 1000;
/** Misses in a row after which the bot offers a person. */
export const MISSES_BEFORE_HUMAN = 2;
/** Topics shown as suggestions after a fallback when nothing came close. */
const FREQUENT_TOPICS = ['carta-identita', 'certificati-anagrafici', 'tari-pagamento', 'multe-pagamento', 'area-c'];
const SUGGESTION_TITLE_CHARS = 40;
/** The topic the "contacts" menu item answers with. */
const CONTACTS_TOPIC = 'contatti-020202';

/** What the dialog remembers between turns of one conversation. */
interface FaqState {
  language: Language;
  misses: number;
  lastTopicId?: string;
  awaitingFeedback: boolean;
  offered: string[];
}

/** Dependencies of the dialog: injected so that tests can replace the recognizer and the clock of reloads. */
export interface FaqDialogOptions {
  readonly runtime: () => KnowledgeRuntime;
  readonly contact: ContactInfo;
  /** With the handoff dialog beside it: offer a person through it; without: give 020202's contacts. */
  readonly handoff?: boolean;
}

const UP = new Set(['👍', 'si', 'sì', 'utile', 'yes', 'useful', 'thumbs up']);
const DOWN = new Set(['👎', 'no', 'non utile', 'not useful', 'thumbs down']);

/**
 * Answers every message of the conversation from the knowledge base: one long-running dialog
 * that handles a turn at a time (a question, a choice among offered topics, or feedback).
 *
 * @example
 * const dialog = new FaqDialog({ runtime: () => holder.current(), contact });
 */
export class FaqDialog extends Dialog<FaqState> {
  constructor(private readonly options: FaqDialogOptions) {
    super(FAQ_DIALOG);
    if (!options?.runtime) throw new Error('FaqDialog needs a runtime provider');
    if (!options.contact) throw new Error('FaqDialog needs contact information');
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state: FaqState = { language: languageOfLocale(dc.context.activity.locale), misses: 0, awaitingFeedback: false, offered: [] };
    dc.activeDialog!.state = state;
    return this.handle(dc, state);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    return this.handle(dc, dc.activeDialog!.state as FaqState);
  }

  /** Back from the handoff dialog: when the citizen answered with a question, answer it now. */
  override async resumeDialog(dc: DialogContext, _reason: unknown, result?: HandoffDialogResult): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as FaqState;
    state.misses = 0;
    if (result?.reprocess) return this.handle(dc, state);
    return Dialog.EndOfTurn;
  }

  private async handle(dc: DialogContext, state: FaqState): Promise<DialogTurnResult> {
    try {
      return await this.handleTurn(dc, state);
    } finally {
      dc.context.turnState.set(TURN_LANGUAGE, state.language);
    }
  }

  private async handleTurn(dc: DialogContext, state: FaqState): Promise<DialogTurnResult> {
    const { context } = dc;
    const activity = context.activity;
    if (activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const runtime = this.options.runtime();
    const command = commandOf(activity.value);
    if (command) {
      if (activity.locale) state.language = languageOfLocale(activity.locale);
      return this.command(dc, state, runtime.kb, command);
    }
    const text = typeof activity.text === 'string' ? activity.text.trim() : '';

    if (text.length === 0) {
      const onlyAttachments = (activity.attachments?.length ?? 0) > 0;
      await this.say(
        context,
        onlyAttachments
          ? `${MESSAGES.attachmentOnly[state.language]} ${this.options.contact.writtenRequestUrl}`
          : MESSAGES.noText[state.language],
        { topicId: null, confidence: null, outcome: 'fallback' },
      );
      return Dialog.EndOfTurn;
    }
    if (text.length > MAX_QUESTION_CHARS) {
      await this.say(context, MESSAGES.tooLong[state.language], { topicId: null, confidence: null, outcome: 'fallback' });
      return Dialog.EndOfTurn;
    }
    const normalized = normalize(text);
    if (normalized.length === 0 && !/[👍👎]/u.test(text)) {
      await this.say(context, MESSAGES.noText[state.language], { topicId: null, confidence: null, outcome: 'fallback' });
      return Dialog.EndOfTurn;
    }

    if (state.awaitingFeedback && state.lastTopicId && (UP.has(text) || UP.has(normalized) || DOWN.has(text) || DOWN.has(normalized))) {
      return this.feedback(dc, state, runtime.kb, UP.has(text) || UP.has(normalized));
    }
    state.awaitingFeedback = false;

    const chosen = state.offered.find((id) => {
      const topic = runtime.kb.get(id);
      return topic !== undefined && (normalize(topic.title.it) === normalized || normalize(topic.title.en) === normalized);
    });
    state.offered = [];
    if (chosen) {
      await this.answer(context, state, runtime.kb.get(chosen) as Topic, 1);
      return Dialog.EndOfTurn;
    }

    const recognition = await runtime.recognizer.recognize(text, { languageHint: state.language });
    state.language = recognition.language;
    return this.respond(dc, state, runtime.kb, recognition);
  }

  /** A menu choice (Messenger's persistent menu, or any channel's button with `value.dialogo`). */
  private async command(dc: DialogContext, state: FaqState, kb: KnowledgeBase, command: Command): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    state.awaitingFeedback = false;
    if (command === 'welcome') {
      await this.say(context, MESSAGES.welcome[language], smalltalk());
      return Dialog.EndOfTurn;
    }
    if (command === 'operator') {
      return this.respond(dc, state, kb, { text: '', language, intent: 'handoff', candidates: [], band: 'answer', recognizer: 'menu' });
    }
    if (command === 'ticket' && this.options.handoff) {
      const description = (context.activity.value as { description?: unknown }).description;
      return dc.beginDialog(HANDOFF_DIALOG, {
        start: 'ticket',
        language,
        topicId: state.lastTopicId ?? null,
        description: typeof description === 'string' ? description : undefined,
      } satisfies HandoffDialogOptions);
    }
    const contacts = kb.get(CONTACTS_TOPIC);
    if (command === 'contacts' && contacts) {
      await this.answer(context, state, contacts, 1);
      return Dialog.EndOfTurn;
    }
    const suggestions = FREQUENT_TOPICS.flatMap((id) => (kb.get(id) ? [kb.get(id) as Topic] : []));
    state.offered = suggestions.map((t) => t.id);
    await this.say(context, MESSAGES.frequentTopics[language], smalltalk(), [...suggestions.map((t) => imBack(t.title[language])), imBack(MESSAGES.operatorLabel[language])]);
    return Dialog.EndOfTurn;
  }

  /** Offers a person: through the handoff dialog when there is one, else with 020202's contacts. */
  private async offerPerson(dc: DialogContext, state: FaqState, lead: string | undefined, confidence: number | null): Promise<DialogTurnResult> {
    const language = state.language;
    state.misses = 0;
    state.awaitingFeedback = false;
    if (!this.options.handoff) {
      const text = lead ? `${lead}\n\n${humanContact(language, this.options.contact)}` : humanContact(language, this.options.contact);
      await this.say(dc.context, text, { topicId: null, confidence, outcome: 'handoff' });
      return Dialog.EndOfTurn;
    }
    if (lead) await this.say(dc.context, lead, { topicId: state.lastTopicId ?? null, confidence, outcome: 'handoff' });
    return dc.beginDialog(HANDOFF_DIALOG, { start: 'offer', language, topicId: state.lastTopicId ?? null } satisfies HandoffDialogOptions);
  }

  private async respond(dc: DialogContext, state: FaqState, kb: KnowledgeBase, recognition: Recognition): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    switch (recognition.intent) {
      case 'handoff':
        return this.offerPerson(dc, state, undefined, null);
      case 'greeting':
        await this.say(context, MESSAGES.welcome[language], smalltalk());
        return Dialog.EndOfTurn;
      case 'help':
        await this.say(context, MESSAGES.help[language], smalltalk());
        return Dialog.EndOfTurn;
      case 'thanks':
        await this.say(context, MESSAGES.thanks[language], smalltalk());
        return Dialog.EndOfTurn;
      case 'goodbye':
        await this.say(context, MESSAGES.goodbye[language], smalltalk());
        return Dialog.EndOfTurn;
      case 'faq':
        break;
    }
    const top = recognition.candidates[0];
    const topTopic = top ? kb.get(top.topicId) : undefined;
    if (recognition.band === 'answer' && top && topTopic) {
      await this.answer(context, state, topTopic, top.confidence);
      return Dialog.EndOfTurn;
    }
    if (recognition.band === 'disambiguate' && top) {
      const offered = recognition.candidates
        .filter((c) => c.confidence >= DEFAULT_BANDS.candidate)
        .slice(0, 3)
        .flatMap((c) => (kb.get(c.topicId) ? [kb.get(c.topicId) as Topic] : []));
      state.offered = offered.map((t) => t.id);
      const actions = offered.map((t) => imBack(t.title[language]));
      await this.say(context, MESSAGES.disambiguate[language], { topicId: top.topicId, confidence: round(top.confidence), outcome: 'disambiguation' }, actions);
      return Dialog.EndOfTurn;
    }
    return this.fallback(dc, state, kb, top?.confidence ?? null);
  }

  private async answer(context: TurnContext, state: FaqState, topic: Topic, confidence: number): Promise<void> {
    const language = state.language;
    state.misses = 0;
    state.lastTopicId = topic.id;
    state.awaitingFeedback = true;
    const text = `${topic.answer[language]}\n\n${linkLines(topic, language)}\n\n${MESSAGES.wasItUseful[language]}`;
    await this.say(context, text, { topicId: topic.id, confidence: round(confidence), outcome: 'answered' }, [
      imBack(MESSAGES.useful[language]),
      imBack(MESSAGES.notUseful[language]),
    ]);
  }

  private async fallback(dc: DialogContext, state: FaqState, kb: KnowledgeBase, confidence: number | null): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    state.misses += 1;
    if (state.misses >= MISSES_BEFORE_HUMAN) return this.offerPerson(dc, state, MESSAGES.fallback[language], confidence);
    const suggestions = FREQUENT_TOPICS.flatMap((id) => (kb.get(id) ? [kb.get(id) as Topic] : [])).slice(0, 4);
    state.offered = suggestions.map((t) => t.id);
    await this.say(
      context,
      `${MESSAGES.fallback[language]}\n\n${MESSAGES.fallbackSuggestions[language]}`,
      { topicId: null, confidence, outcome: 'fallback' },
      [...suggestions.map((t) => imBack(t.title[language])), imBack(MESSAGES.operatorLabel[language])],
    );
    return Dialog.EndOfTurn;
  }

  private async feedback(dc: DialogContext, state: FaqState, kb: KnowledgeBase, useful: boolean): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    const topic = state.lastTopicId ? kb.get(state.lastTopicId) : undefined;
    state.awaitingFeedback = false;
    const data: DialogoData = { topicId: topic?.id ?? null, confidence: null, outcome: 'smalltalk' };
    if (useful) {
      await this.say(context, MESSAGES.feedbackThanks[language], data, [], { feedback: 'up' });
      return Dialog.EndOfTurn;
    }
    if (topic?.escalate && this.options.handoff) {
      await this.say(context, MESSAGES.feedbackSorryEscalate[language], { ...data, outcome: 'handoff' }, [], { feedback: 'down' });
      return dc.beginDialog(HANDOFF_DIALOG, { start: 'offer', language, topicId: topic.id } satisfies HandoffDialogOptions);
    }
    if (topic?.escalate) {
      await this.say(context, `${MESSAGES.feedbackSorryEscalate[language]} ${humanContact(language, this.options.contact)}`, { ...data, outcome: 'handoff' }, [], {
        feedback: 'down',
      });
      return Dialog.EndOfTurn;
    }
    await this.say(context, MESSAGES.feedbackSorry[language], data, [imBack(MESSAGES.operatorLabel[language])], { feedback: 'down' });
    return Dialog.EndOfTurn;
  }

  private async say(
    context: TurnContext,
    text: string,
    data: DialogoData,
    actions: CardAction[] = [],
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const activity: Partial<Activity> = actions.length > 0 ? MessageFactory.suggestedActions(actions, text) : MessageFactory.text(text);
    activity.channelData = { ...(activity.channelData ?? {}), dialogo: { ...data, ...extra } };
    activity.textFormat = 'plain';
    await context.sendActivity(activity);
  }
}

/**
 * The answer's link lines: "More information" and the next step's page. When both are the same
 * page only the next step's line is printed, because its label says what the citizen does there.
 */
export function linkLines(topic: Topic, language: Language): string {
  const more = `${MESSAGES.moreInfo[language]}: ${topic.link}`;
  if (!topic.next.url) return more;
  const next = `${topic.next.label[language]}: ${topic.next.url}`;
  return sameLink(topic.link, topic.next.url) ? next : `${more}\n\n${next}`;
}

function imBack(title: string): CardAction {
  const short = title.length > SUGGESTION_TITLE_CHARS ? `${title.slice(0, SUGGESTION_TITLE_CHARS - 1)}…` : title;
  return { type: ActionTypes.ImBack, title: short, value: title };
}

type Command = 'welcome' | 'frequent' | 'operator' | 'contacts' | 'ticket';

/** `value.dialogo` of a menu choice, when the activity carries one. */
function commandOf(value: unknown): Command | undefined {
  const command = (value as { dialogo?: unknown } | undefined)?.dialogo;
  return command === 'welcome' || command === 'frequent' || command === 'operator' || command === 'contacts' || command === 'ticket' ? command : undefined;
}

function smalltalk(): DialogoData {
  return { topicId: null, confidence: null, outcome: 'smalltalk' };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The conversation's first language: English when the channel says so, Italian otherwise. */
export function languageOfLocale(locale: string | undefined): Language {
  return locale?.toLowerCase().startsWith('en') ? 'en' : 'it';
}
