import type { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Language } from '../knowledge/topic-schema';

/** The label before a notice under an answer. */
const NOTICE_LABEL: Readonly<Record<Language, string>> = { it: 'Da sapere:', en: 'Good to know:' };
/** The label before the greeting's news. */
const NEWS_LABEL: Readonly<Record<Language, string>> = { it: 'In evidenza:', en: 'Coming up:' };
/** Longest news line in the greeting: the welcome must still be read whole above its buttons. */
const MAX_NEWS_CHARS = 120;

/** The notices an answer of a topic carries today, as lines, with the communications' ids for channelData. */
export interface AnswerNotices {
  readonly lines: readonly string[];
  readonly communicationIds: readonly string[];
}

/**
 * The notices of the topic's communications active on `today` (a Rome day), one line each
 * (CommunicationsCalendar.noticesFor chooses them).
 *
 * @example
 * answerNotices(kb, 'imu', 'it', '2026-12-05').lines // ['Da sapere: IMU 2026: il saldo si paga entro ...']
 */
export function answerNotices(kb: KnowledgeBase, topicId: string, language: Language, today: string): AnswerNotices {
  const notices = kb.calendar.noticesFor(topicId, language, today);
  return { lines: notices.map((c) => `${NOTICE_LABEL[language]} ${oneLine(c.notice[language])}`), communicationIds: notices.map((c) => c.id) };
}

/**
 * The greeting's news: the nearest active communications (at most two), each shortened to its
 * first sentence, under one label. Empty when nothing is active.
 *
 * @example
 * greetingNews(kb, 'en', '2026-12-05') // 'Coming up:\n- On Monday 7 December, Sant'Ambrogio, ...'
 */
export function greetingNews(kb: KnowledgeBase, language: Language, today: string): string {
  const items = kb.calendar.forGreeting(today).map((c) => `- ${firstSentence(oneLine(c.notice[language]))}`);
  return items.length > 0 ? `${NEWS_LABEL[language]}\n${items.join('\n')}` : '';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The notice's first sentence (editors put the date there), cut at a word when still too long. */
function firstSentence(text: string): string {
  const end = text.search(/[.!?](\s|$)/);
  const sentence = end >= 0 ? text.slice(0, end + 1) : text;
  if (sentence.length <= MAX_NEWS_CHARS) return sentence;
  const cut = sentence.slice(0, MAX_NEWS_CHARS - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1))}…`;
}
