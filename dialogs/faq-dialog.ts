import { ActionTypes, ActivityTypes, MessageFactory, type Activity, type CardAction, type TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from './sdk';
import { TURN_ESCALATION, TURN_LANGUAGE, type DialogoData } from '../src/bot/dialogo-data';
import type { EscalationReason } from '../src/analytics/counters';
import { HANDOFF_DIALOG, yesNo, type HandoffDialogOptions, type HandoffDialogResult } from './handoff-dialog';
import { humanContact, MESSAGES, type ContactInfo } from '../src/bot/messages';
import type { KnowledgeRuntime } from '../src/bot/runtime';
import { composeAnswer, facetButtons } from '../src/bot/answer-composer';
import { trackedUrl } from '../src/knowledge/answer-links';
import { button, chosenFacet, commandOf, frequentTopics, imBack, topicButton, topicsOf, type Command, type Offerable } from './faq-buttons';
import { referralReply } from '../src/bot/referral-reply';
import { welcomeActivity } from '../src/bot/welcome';
import { answerNotices, greetingNews } from '../src/bot/communication-notices';
import { calendarDay } from '../src/knowledge/communications';
import { withPrior } from '../src/nlu/communication-prior';
import { readAsFollowUp, type AnsweredContext } from '../src/bot/conversation-context';
import type { Entry, KnowledgeBase } from '../src/knowledge/knowledge-base';
import { LANGUAGES, type Facet, type Language, type Topic } from '../src/knowledge/topic-schema';
import { FacetPicker } from '../src/nlu/facet-picker';
import { normalize } from '../src/nlu/normalize';
import { DEFAULT_BANDS, type Recognition } from '../src/nlu/recognizer';

export const FAQ_DIALOG = 'faqDialog';

/** Longest question the bot reads; longer messages get a polite request to shorten. */
export const MAX_QUESTION_CHARS = 1000;
/** Misses in a row after which the bot offers a person. */
export const MISSES_BEFORE_HUMAN = 2;
const MAX_SUGGESTIONS = 4;
/**
 * Below this calibrated confidence a candidate carries no evidence: a message that matches
 * nothing spreads about 0.055 over ties ("blablabla", "tassa"), a related word gives 0.1-0.3
 * ("moto": area-b 0.175; "rimborso": tari-pagamento 0.219).
 */
const SUGGESTION_EVIDENCE = 0.1;
/**
 * Out-of-scope probability above which a fallback is a rejection, not a municipal miss: a
 * restaurant tip scores 0.52, the weather 0.29; municipal misses measured 0.008-0.05.
 */
const OUT_OF_SCOPE_MISS = 0.25;
/** Confidence at which a message's best topic files the citizen's request for a person. */
const FILING_CONFIDENCE = DEFAULT_BANDS.disambiguate;
/** The topic the "contacts" menu item answers with. */
const CONTACTS_TOPIC = 'contatti-020202';

/** What the dialog remembers between turns of one conversation. */
interface FaqState {
  language: Language;
  misses: number;
  awaitingFeedback: boolean;
  offered: string[];
  /** The single topic asked about as a yes/no, until the citizen answers. */
  confirming?: string;
  /** The topic of the citizen's latest municipal question, when confident: a handoff is filed under it. */
  requestTopicId?: string | null;
  /** Messages handled so far: how far back the last answer is. */
  turn: number;
  /** The last answered topic, for follow-ups. */
  context?: AnsweredContext;
  /** The facets offered under the last answer ("Altro su questo tema"), until the next message. */
  offeredFacets?: { topicId: string; facetIds: string[] };
}

/** Dependencies of the dialog: injected so that tests can replace the recognizer and the clock of reloads. */
export interface FaqDialogOptions {
  readonly runtime: () => KnowledgeRuntime;
  readonly contact: ContactInfo;
  /** With the handoff dialog beside it: offer a person through it; without: give 020202's contacts. */
  readonly handoff?: boolean;
  /**
   * Dialogo's public base URL: answers' links then go through its `/go` redirect, which counts
   * clicks per topic, facet and channel (src/analytics/link-redirect.ts). Unset: links as they are.
   */
  readonly linkBase?: string;
  /**
   * The clock of the communications calendar (notices, recognition priors, the greeting's news).
   * Without it the calendar is not read, so that a test that sets no day does not depend on the date.
   */
  readonly now?: () => Date;
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
    const state: FaqState = { language: languageOfLocale(dc.context.activity.locale), misses: 0, awaitingFeedback: false, offered: [], turn: 0 };
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
    // State saved before turns were counted starts counting now.
    state.turn = (state.turn ?? 0) + 1;
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
    // A lone emoji (other than the feedback thumbs) is a reaction, not a failed question.
    if (normalized.length === 0 && /\p{Extended_Pictographic}/u.test(text) && !/[👍👎]/u.test(text)) {
      await this.say(context, MESSAGES.nonsense[state.language], smalltalk());
      return Dialog.EndOfTurn;
    }
    if (normalized.length === 0 && !/[👍👎]/u.test(text)) {
      await this.say(context, MESSAGES.noText[state.language], { topicId: null, confidence: null, outcome: 'fallback' });
      return Dialog.EndOfTurn;
    }

    const confirmingId = state.confirming;
    const confirming = confirmingId ? runtime.kb.entry(confirmingId) : undefined;
    state.confirming = undefined;
    if (confirming) {
      const reply = yesNo(text);
      if (reply === 'yes') {
        state.offered = [];
        await this.answerEntry(context, state, runtime.kb, confirming, undefined, 1);
        return Dialog.EndOfTurn;
      }
      if (reply === 'no') return this.declined(dc, state, runtime.kb, confirmingId as string);
    }

    if (state.awaitingFeedback && state.context && (UP.has(text) || UP.has(normalized) || DOWN.has(text) || DOWN.has(normalized))) {
      return this.feedback(dc, state, runtime.kb, UP.has(text) || UP.has(normalized));
    }
    state.awaitingFeedback = false;
    // A thumb with no answer to rate (Messenger's like button, sent as "ok") is no question: never a miss.
    if (normalized.length === 0) {
      const liked = /👍/u.test(text) && !/👎/u.test(text);
      await this.say(context, liked ? MESSAGES.thanks[state.language] : MESSAGES.nonsense[state.language], smalltalk());
      return Dialog.EndOfTurn;
    }

    const chosenId = state.offered.find((id) => LANGUAGES.some((l) => normalize(runtime.kb.title(id, l) ?? '') === normalized));
    const chosen = chosenId ? runtime.kb.entry(chosenId) : undefined;
    state.offered = [];
    if (chosen) {
      await this.answerEntry(context, state, runtime.kb, chosen, undefined, 1);
      return Dialog.EndOfTurn;
    }
    const offeredFacet = chosenFacet(runtime.kb, state.offeredFacets, normalized);
    state.offeredFacets = undefined;
    if (offeredFacet) {
      await this.answer(context, state, offeredFacet.topic, offeredFacet.facet, 1);
      return Dialog.EndOfTurn;
    }

    const today = this.today();
    const recognized = await runtime.recognizer.recognize(text, { languageHint: state.language });
    const recognition = today ? withPrior(recognized, (id) => runtime.kb.calendar.prior(id, today)) : recognized;
    state.language = recognition.language;
    return this.respond(dc, state, runtime.kb, recognition);
  }

  /** A menu choice (Messenger's persistent menu, or any channel's button with `value.dialogo`). */
  private async command(dc: DialogContext, state: FaqState, kb: KnowledgeBase, command: Command): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    state.awaitingFeedback = false;
    state.confirming = undefined;
    if (command === 'welcome') {
      await context.sendActivity(this.welcome(kb, language));
      return Dialog.EndOfTurn;
    }
    if (command === 'operator') {
      return this.respond(dc, state, kb, { text: '', language, intent: 'handoff', candidates: [], band: 'answer', recognizer: 'menu' });
    }
    if (command === 'ticket' && this.options.handoff) {
      context.turnState.set(TURN_ESCALATION, 'written-request' satisfies EscalationReason);
      const description = (context.activity.value as { description?: unknown }).description;
      return dc.beginDialog(HANDOFF_DIALOG, {
        start: 'ticket',
        language,
        topicId: state.requestTopicId ?? null,
        description: typeof description === 'string' ? description : undefined,
      } satisfies HandoffDialogOptions);
    }
    const contacts = kb.get(CONTACTS_TOPIC);
    if (command === 'contacts' && contacts) {
      await this.answer(context, state, contacts, undefined, 1);
      return Dialog.EndOfTurn;
    }
    const suggestions = frequentTopics(kb);
    state.offered = suggestions.map((t) => t.id);
    await this.say(context, MESSAGES.frequentTopics[language], smalltalk(), [...suggestions.map((t) => topicButton(t, language)), imBack(MESSAGES.operatorLabel[language], MESSAGES.operatorLabelShort[language])]);
    return Dialog.EndOfTurn;
  }

  /** Offers a person: through the handoff dialog when there is one, else with 020202's contacts. */
  private async offerPerson(dc: DialogContext, state: FaqState, lead: string | undefined, confidence: number | null, reason: EscalationReason): Promise<DialogTurnResult> {
    const language = state.language;
    dc.context.turnState.set(TURN_ESCALATION, reason);
    state.misses = 0;
    state.awaitingFeedback = false;
    if (!this.options.handoff) {
      const text = lead ? `${lead}\n\n${humanContact(language, this.options.contact)}` : humanContact(language, this.options.contact);
      await this.say(dc.context, text, { topicId: null, confidence, outcome: 'handoff' });
      return Dialog.EndOfTurn;
    }
    const topicId = state.requestTopicId ?? null;
    if (lead) await this.say(dc.context, lead, { topicId, confidence, outcome: 'handoff' });
    return dc.beginDialog(HANDOFF_DIALOG, { start: 'offer', language, topicId } satisfies HandoffDialogOptions);
  }

  private async respond(dc: DialogContext, state: FaqState, kb: KnowledgeBase, recognition: Recognition): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    switch (recognition.intent) {
      case 'handoff':
        return this.offerPerson(dc, state, undefined, null, 'asked');
      case 'greeting':
        await context.sendActivity(this.welcome(kb, language));
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
      case 'insult':
        await this.say(context, MESSAGES.insult[language], smalltalk());
        return Dialog.EndOfTurn;
      case 'nonsense':
        await this.say(context, MESSAGES.nonsense[language], smalltalk());
        return Dialog.EndOfTurn;
      case 'faq':
        break;
    }
    const followUp = readAsFollowUp(recognition, kb, FacetPicker.of(kb), state.context, state.turn, Date.now());
    if (followUp) {
      state.requestTopicId = followUp.topic.id;
      await this.answer(context, state, followUp.topic, followUp.facet.facet, followUp.confidence, { followUp: true });
      return Dialog.EndOfTurn;
    }
    const top = recognition.candidates[0];
    // Requests for a person are filed under the city's topics only, never another body's matter.
    state.requestTopicId = top && top.confidence >= FILING_CONFIDENCE && kb.get(top.topicId) ? top.topicId : null;
    const topEntry = top ? kb.entry(top.topicId) : undefined;
    if (recognition.band === 'answer' && top && topEntry) {
      await this.answerEntry(context, state, kb, topEntry, recognition, top.confidence);
      return Dialog.EndOfTurn;
    }
    if (recognition.band === 'disambiguate' && top) {
      const offered = topicsOf(kb, recognition.candidates.filter((c) => c.confidence >= DEFAULT_BANDS.candidate).slice(0, 3));
      const data: DialogoData = { topicId: top.topicId, confidence: round(top.confidence), outcome: 'disambiguation' };
      if (offered.length === 1) return this.confirm(dc, state, offered[0] as Offerable, '', data);
      state.offered = offered.map((t) => t.id);
      await this.say(context, MESSAGES.disambiguate[language], data, offered.map((t) => topicButton(t, language)));
      return Dialog.EndOfTurn;
    }
    const outOfScope = (recognition.outOfScope ?? 0) >= OUT_OF_SCOPE_MISS;
    const closest = outOfScope ? [] : topicsOf(kb, recognition.candidates.filter((c) => c.confidence >= SUGGESTION_EVIDENCE).slice(0, MAX_SUGGESTIONS));
    // The miss is counted under the topic the recognizer leaned to, however weakly: a city topic only, never a rejection.
    const leaning = !outOfScope && top && kb.get(top.topicId) ? top.topicId : undefined;
    return this.fallback(dc, state, kb, top ? round(top.confidence) : null, { closest, outOfScope, leaning });
  }

  /** One topic came close: ask "Intendi: <titolo>?" with Sì / No rather than a one-button list. */
  private async confirm(dc: DialogContext, state: FaqState, topic: Offerable, lead: string, data: DialogoData): Promise<DialogTurnResult> {
    const language = state.language;
    state.confirming = topic.id;
    state.offered = [topic.id];
    const question = MESSAGES.confirmTopic[language].replace('{title}', topic.title[language]);
    await this.say(dc.context, lead ? `${lead}\n\n${question}` : question, data, [imBack(MESSAGES.yes[language]), imBack(MESSAGES.no[language])]);
    return Dialog.EndOfTurn;
  }

  /** "No" to "Intendi: …?": the question was municipal and unanswered, a miss; suggest the frequent topics. */
  private async declined(dc: DialogContext, state: FaqState, kb: KnowledgeBase, declinedId: string): Promise<DialogTurnResult> {
    state.offered = [];
    state.misses += 1;
    if (state.misses >= MISSES_BEFORE_HUMAN) return this.offerPerson(dc, state, MESSAGES.fallback[state.language], null, 'misses');
    const suggestions = frequentTopics(kb, declinedId).slice(0, MAX_SUGGESTIONS);
    state.offered = suggestions.map((t) => t.id);
    const language = state.language;
    await this.say(dc.context, MESSAGES.confirmDeclined[language], { topicId: null, confidence: null, outcome: 'fallback' }, [
      ...suggestions.map((t) => topicButton(t, language)),
      imBack(MESSAGES.operatorLabel[language], MESSAGES.operatorLabelShort[language]),
    ]);
    return Dialog.EndOfTurn;
  }

  /**
   * Answers a recognised id: a topic (the facet the words ask about, when a recognition is given)
   * or another administration's matter, which names who handles it (outcome `referral`).
   */
  private async answerEntry(context: TurnContext, state: FaqState, kb: KnowledgeBase, entry: Entry, recognition: Recognition | undefined, confidence: number): Promise<void> {
    if (entry.kind === 'topic') {
      const facet = recognition ? FacetPicker.of(kb).pickFor(recognition, entry.topic)?.facet : undefined;
      return this.answer(context, state, entry.topic, facet, confidence, {}, topicsOf(kb, recognition?.alsoAsked ?? []));
    }
    state.misses = 0;
    state.awaitingFeedback = false;
    state.context = undefined;
    await this.say(context, referralReply(entry.referral, state.language), { topicId: entry.referral.id, confidence: round(confidence), outcome: 'referral' });
  }

  /**
   * Answers a topic: the facet asked when there is one, the overview otherwise; then offers the
   * topic's other facets and asks for feedback. Remembers the topic for follow-ups.
   */
  private async answer(
    context: TurnContext,
    state: FaqState,
    topic: Topic,
    facet: Facet | undefined,
    confidence: number,
    extra: Record<string, unknown> = {},
    alsoAsked: readonly Offerable[] = [],
  ): Promise<void> {
    const language = state.language;
    state.misses = 0;
    state.awaitingFeedback = true;
    const today = this.today();
    const notices = today ? answerNotices(this.options.runtime().kb, topic.id, language, today) : undefined;
    const base = this.options.linkBase;
    const where = { topicId: topic.id, facetId: facet?.id ?? null, channel: context.activity.channelId ?? 'unknown', language };
    const composed = composeAnswer(topic, facet, language, notices?.lines, base ? (_url, index) => trackedUrl(base, where, index) : undefined);
    state.context = { topicId: topic.id, facetId: composed.facetId, turn: state.turn, at: Date.now() };
    state.offeredFacets = composed.moreFacets.length > 0 ? { topicId: topic.id, facetIds: composed.moreFacets.map((f) => f.id) } : undefined;
    // A long message's other questions: offered as buttons, answered when pressed.
    state.offered = alsoAsked.map((t) => t.id);
    const also = alsoAsked.length > 0 ? `\n\n${MESSAGES.alsoAsked[language]}` : '';
    await this.say(
      context,
      `${composed.text}${also}`,
      {
        topicId: topic.id,
        facetId: composed.facetId,
        confidence: round(confidence),
        outcome: 'answered',
        ...(notices && notices.communicationIds.length > 0 ? { communicationIds: notices.communicationIds } : {}),
      },
      [...alsoAsked.map((t) => topicButton(t, language)), ...facetButtons(composed.moreFacets, language).map(button), imBack(MESSAGES.useful[language]), imBack(MESSAGES.notUseful[language])],
      extra,
    );
  }

  /**
   * Nothing to answer. Suggests the topics closest to the message (a yes/no when only one is
   * close), the frequent ones when nothing relates. Only municipal questions count as misses:
   * a rejection of an out-of-scope message never leads to a person.
   */
  private async fallback(
    dc: DialogContext,
    state: FaqState,
    kb: KnowledgeBase,
    confidence: number | null,
    related: { closest: readonly Offerable[]; outOfScope: boolean; leaning?: string | undefined },
  ): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    const data: DialogoData = { topicId: null, confidence, outcome: 'fallback', ...(related.leaning ? { leaningTopicId: related.leaning } : {}) };
    if (!related.outOfScope) {
      state.misses += 1;
      if (state.misses >= MISSES_BEFORE_HUMAN) return this.offerPerson(dc, state, MESSAGES.fallback[language], confidence, 'misses');
    }
    if (related.closest.length === 1) return this.confirm(dc, state, related.closest[0] as Offerable, MESSAGES.fallback[language], data);
    const closest = related.closest.length > 1;
    const suggestions = closest ? related.closest : frequentTopics(kb).slice(0, MAX_SUGGESTIONS);
    state.offered = suggestions.map((t) => t.id);
    const lead = related.outOfScope ? MESSAGES.outOfScope[language] : MESSAGES.fallback[language];
    const heading = closest ? MESSAGES.closestSuggestions[language] : MESSAGES.fallbackSuggestions[language];
    await this.say(context, `${lead}\n\n${heading}`, data, [...suggestions.map((t) => topicButton(t, language)), imBack(MESSAGES.operatorLabel[language], MESSAGES.operatorLabelShort[language])]);
    return Dialog.EndOfTurn;
  }

  private async feedback(dc: DialogContext, state: FaqState, kb: KnowledgeBase, useful: boolean): Promise<DialogTurnResult> {
    const { context } = dc;
    const language = state.language;
    const topic = state.context ? kb.get(state.context.topicId) : undefined;
    state.awaitingFeedback = false;
    const data: DialogoData = { topicId: topic?.id ?? null, confidence: null, outcome: 'smalltalk' };
    if (useful) {
      await this.say(context, MESSAGES.feedbackThanks[language], data, [], { feedback: 'up' });
      return Dialog.EndOfTurn;
    }
    if (topic?.escalate) context.turnState.set(TURN_ESCALATION, 'rated-down' satisfies EscalationReason);
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
    await this.say(context, MESSAGES.feedbackSorry[language], data, [imBack(MESSAGES.operatorLabel[language], MESSAGES.operatorLabelShort[language])], { feedback: 'down' });
    return Dialog.EndOfTurn;
  }

  /** The welcome, with the communications active today when the dialog has a clock. */
  welcome(kb: KnowledgeBase, language: Language): Partial<Activity> {
    const today = this.today();
    return welcomeActivity(language, today ? greetingNews(kb, language, today) : '');
  }

  /** The Europe/Rome day of the calendar, when the dialog has a clock. */
  private today(): string | undefined {
    return this.options.now ? calendarDay(this.options.now()) : undefined;
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
