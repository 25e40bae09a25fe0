import { Analyzer } from '../nlu/analyzer';
import { normalize } from '../nlu/normalize';
import type { KnowledgeBase } from './knowledge-base';
import { isPortalHomePage, sameLink } from './topic-links';
import type { Topic } from './topic-schema';

/** One editorial finding of `npm run kb:lint`. Errors fail the lint; warnings are for editors to judge. */
export interface LintFinding {
  readonly level: 'error' | 'warning';
  readonly topicId: string;
  readonly message: string;
}

const REVIEW_MONTHS = 12;
/** Two samples of different topics with this share of terms in common are "too similar". */
const SIMILAR_JACCARD = 0.8;

function linkFindings(topic: Topic): LintFinding[] {
  const findings: LintFinding[] = [];
  const homeUrls = [topic.link, topic.next.url].filter((url): url is string => url !== undefined && isPortalHomePage(url));
  if (topic.homePageOnly && homeUrls.length > 0) {
    findings.push({ level: 'warning', topicId: topic.id, message: `links to the portal's home page (homePageOnly): ${topic.homePageOnly.reason}` });
  } else if (topic.homePageOnly) {
    findings.push({ level: 'warning', topicId: topic.id, message: 'is marked homePageOnly but no longer links to the home page: remove the mark' });
  } else if (homeUrls.length > 0) {
    findings.push({
      level: 'error',
      topicId: topic.id,
      message: 'links to the portal\'s home page: use the deepest official page, or mark the topic with homePageOnly: { reason: "..." }',
    });
  }
  for (const facet of topic.facets) {
    const where = `facet ${facet.id}`;
    // A facet without its own link shows the topic's: its mark, or the topic's, covers that page.
    const home = isPortalHomePage(facet.link ?? topic.link);
    if (facet.homePageOnly && home) findings.push({ level: 'warning', topicId: topic.id, message: `${where} links to the portal's home page (homePageOnly): ${facet.homePageOnly.reason}` });
    else if (facet.homePageOnly) findings.push({ level: 'warning', topicId: topic.id, message: `${where} is marked homePageOnly but does not link to the home page: remove the mark` });
    else if (home && !(facet.link === undefined && topic.homePageOnly)) {
      findings.push({ level: 'error', topicId: topic.id, message: `${where} links to the portal's home page: use the deepest official page, or mark the facet with homePageOnly: { reason: "..." }` });
    }
  }
  if (topic.next.url && sameLink(topic.link, topic.next.url)) {
    findings.push({ level: 'warning', topicId: topic.id, message: `link and next.url are the same page (${topic.link}): the answer shows it once; give next.url the page that does the thing, or drop it` });
  }
  return findings;
}

/**
 * Editorial checks beyond the schema: a sample used by two topics, samples of different topics
 * too similar to tell apart, stale reviews, review dates passed, missing English; a link to the
 * portal's home page without the `homePageOnly` mark (error), the marked ones listed for editors
 * (warning), and `link` equal to `next.url` (warning: the citizen would see one page twice).
 *
 * @example
 * const findings = lintKnowledgeBase(kb, new Date());
 */
export function lintKnowledgeBase(kb: KnowledgeBase, today: Date): LintFinding[] {
  const findings: LintFinding[] = [];
  const analyzer = new Analyzer(kb.synonyms);
  const owner = new Map<string, string>();
  const termSets: { topicId: string; text: string; terms: Set<string> }[] = [];
  // Every class the recognizer learns (topics with their facets' samples, referrals) must be told apart.
  for (const entry of kb.entries) {
    for (const language of ['it', 'en'] as const) {
      for (const sample of entry.samples[language]) {
        const key = normalize(sample);
        const other = owner.get(key);
        if (other && other !== entry.id) findings.push({ level: 'error', topicId: entry.id, message: `sample "${sample}" is also a sample of ${other}` });
        owner.set(key, entry.id);
        const terms = new Set(analyzer.terms(sample, language));
        if (terms.size >= 2) termSets.push({ topicId: entry.id, text: sample, terms });
      }
    }
  }
  for (const topic of kb.topics) {
    for (const language of ['it', 'en'] as const) {
      if (topic.answer[language].trim().length === 0) findings.push({ level: 'error', topicId: topic.id, message: `missing ${language} answer` });
    }
    findings.push(...linkFindings(topic));
    const reviewed = new Date(`${topic.lastReviewed}T00:00:00Z`);
    const limit = new Date(today);
    limit.setUTCMonth(limit.getUTCMonth() - REVIEW_MONTHS);
    if (reviewed < limit) findings.push({ level: 'warning', topicId: topic.id, message: `lastReviewed ${topic.lastReviewed} is older than ${REVIEW_MONTHS} months` });
    if (topic.reviewBy && new Date(`${topic.reviewBy}T00:00:00Z`) < today) {
      findings.push({ level: 'warning', topicId: topic.id, message: `reviewBy ${topic.reviewBy} has passed: time-bound facts need checking` });
    }
  }
  // Pairs across topics: indexed by term so that only samples sharing a term are compared.
  const byTerm = new Map<string, number[]>();
  termSets.forEach((s, i) => s.terms.forEach((t) => byTerm.set(t, [...(byTerm.get(t) ?? []), i])));
  const reported = new Set<string>();
  termSets.forEach((a, i) => {
    const seen = new Set<number>();
    for (const t of a.terms) for (const j of byTerm.get(t) ?? []) if (j > i) seen.add(j);
    for (const j of seen) {
      const b = termSets[j]!;
      if (b.topicId === a.topicId) continue;
      const common = [...a.terms].filter((t) => b.terms.has(t)).length;
      const jaccard = common / (a.terms.size + b.terms.size - common);
      const key = `${a.text}|${b.text}`;
      if (jaccard >= SIMILAR_JACCARD && !reported.has(key)) {
        reported.add(key);
        findings.push({ level: 'warning', topicId: a.topicId, message: `sample "${a.text}" is too similar to "${b.text}" of ${b.topicId}` });
      }
    }
  });
  return findings;
}
