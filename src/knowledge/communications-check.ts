import type { Communication, CommunicationKind } from './communication-schema';
import type { CommunicationsCalendar } from './communications';
import type { KnowledgeBase } from './knowledge-base';
import { LANGUAGES } from './topic-schema';

/**
 * One finding of the pre-flight check. `block`: the communication must not go out as it is
 * (`npm run comms:check` exits 1); `warning`: for the planner to judge; `info`: a figure.
 * `message` is in Italian, for the city's planners and supervisors (the dashboard shows it as is).
 */
export interface CommunicationFinding {
  readonly level: 'block' | 'warning' | 'info';
  readonly communicationId: string;
  readonly check: 'topic' | 'review' | 'week' | 'operators';
  readonly message: string;
}

/** A coming communication as the check sees it. */
export interface CheckedCommunication {
  readonly id: string;
  readonly kind: CommunicationKind;
  readonly published: string;
  readonly effective: string;
  readonly until: string | null;
  readonly topics: readonly string[];
  /** ISO week of `effective`, `2026-W51`. */
  readonly week: string;
  /** Extra operators the forecast asks for around it; null when no forecast answers. */
  readonly extraOperators: number | null;
}

/** What {@link checkCommunications} returns: the coming communications in date order and the findings. */
export interface CommunicationsCheck {
  readonly today: string;
  readonly coming: readonly CheckedCommunication[];
  readonly findings: readonly CommunicationFinding[];
  /** Findings at level `block`. */
  readonly blocking: number;
}

/**
 * The pre-flight check of the coming communications (effective today or later): every topic named
 * exists and answers in both languages; a rule change's topics (each facet, when they have facets)
 * were reviewed on or after its publication (blocking once it is published, a reminder before);
 * two coming communications in the same ISO week collide (a warning, blocking when they share a
 * topic); and the extra operators the forecast asks for, when `extraOperators` is given.
 * Pure: the script and the dashboard's route call it with their own calendar, base and day.
 *
 * @example
 * const check = checkCommunications(kb.calendar, kb, '2026-12-05');
 * if (check.blocking > 0) process.exitCode = 1;
 */
export function checkCommunications(
  calendar: CommunicationsCalendar,
  kb: KnowledgeBase,
  today: string,
  extraOperators?: (c: Communication) => number | null,
): CommunicationsCheck {
  const coming = calendar.communications
    .filter((c) => c.effective >= today)
    .sort((a, b) => a.effective.localeCompare(b.effective) || a.id.localeCompare(b.id));
  const findings: CommunicationFinding[] = [];
  const checked: CheckedCommunication[] = [];
  const byWeek = new Map<string, Communication[]>();
  for (const c of coming) {
    const week = isoWeek(c.effective);
    byWeek.set(week, [...(byWeek.get(week) ?? []), c]);
    findings.push(...topicFindings(c, kb), ...reviewFindings(c, kb, today));
    const extra = extraOperators ? extraOperators(c) : null;
    findings.push({
      level: 'info', communicationId: c.id, check: 'operators',
      message: extra === null ? 'operatori in più: nessuna previsione copre ancora queste date' : `operatori in più: ${extra} nell'ora di punta intorno al ${italianDate(c.effective)}`,
    });
    checked.push({ id: c.id, kind: c.kind, published: c.published, effective: c.effective, until: c.until ?? null, topics: c.topics, week, extraOperators: extra });
  }
  for (const [week, same] of byWeek) {
    if (same.length < 2) continue;
    same.forEach((c, i) => {
      for (const other of same.slice(i + 1)) {
        const shared = c.topics.filter((t) => other.topics.includes(t));
        findings.push({
          level: shared.length > 0 ? 'block' : 'warning', communicationId: c.id, check: 'week',
          message: shared.length > 0
            ? `cade nella settimana ${week} insieme a ${other.id}, sugli stessi argomenti (${shared.join(', ')}): i cittadini riceverebbero due messaggi sullo stesso tema nella stessa settimana; spostarne una`
            : `cade nella settimana ${week} insieme a ${other.id}: il contact center le riceve entrambe nella stessa settimana`,
        });
      }
    });
  }
  const order = { block: 0, warning: 1, info: 2 } as const;
  const position = new Map(checked.map((c, i) => [c.id, i]));
  findings.sort((a, b) => (position.get(a.communicationId) ?? 0) - (position.get(b.communicationId) ?? 0) || order[a.level] - order[b.level]);
  return { today, coming: checked, findings, blocking: findings.filter((f) => f.level === 'block').length };
}

function topicFindings(c: Communication, kb: KnowledgeBase): CommunicationFinding[] {
  const findings: CommunicationFinding[] = [];
  for (const topicId of c.topics) {
    const topic = kb.get(topicId);
    if (!topic) {
      findings.push({ level: 'block', communicationId: c.id, check: 'topic', message: `l'argomento ${topicId} non esiste: l'avviso non verrebbe mai mostrato` });
      continue;
    }
    for (const language of LANGUAGES) {
      const missing = [
        topic.answer[language].trim() === '' ? 'risposta (answer)' : '',
        topic.samples[language].length === 0 ? 'domande di esempio (samples)' : '',
        ...topic.facets.filter((f) => f.answer[language].trim() === '').map((f) => `facet ${f.id}`),
      ].filter(Boolean);
      if (missing.length > 0) findings.push({ level: 'block', communicationId: c.id, check: 'topic', message: `l'argomento ${topicId} non ha in ${LANGUAGE_NAMES[language]}: ${missing.join(', ')}` });
    }
  }
  return findings;
}

/** A rule change needs its topics' answers reviewed after it was announced. */
function reviewFindings(c: Communication, kb: KnowledgeBase, today: string): CommunicationFinding[] {
  if (c.kind !== 'rule-change') return [];
  const findings: CommunicationFinding[] = [];
  const out = c.published <= today;
  for (const topicId of c.topics) {
    const topic = kb.get(topicId);
    if (!topic) continue;
    const parts = topic.facets.length > 0 ? topic.facets.map((f) => ({ what: `facet ${f.id}`, reviewed: f.lastReviewed })) : [{ what: 'risposta', reviewed: topic.lastReviewed }];
    const stale = parts.filter((p) => p.reviewed < c.published);
    if (stale.length === 0) continue;
    const list = stale.map((p) => `${p.what} (rivista il ${italianDate(p.reviewed)})`).join(', ');
    const one = stale.length === 1;
    findings.push(
      out
        ? { level: 'block', communicationId: c.id, check: 'review', message: `${topicId}: ${list}: ${one ? 'rivista' : 'riviste'} prima del cambio di regole pubblicato il ${italianDate(c.published)}; ${one ? 'va rivista' : 'vanno riviste'}` }
        : { level: 'warning', communicationId: c.id, check: 'review', message: `${topicId}: ${list}: da rivedere dal ${italianDate(c.published)}, quando il cambio di regole viene pubblicato` },
    );
  }
  return findings;
}

/**
 * The ISO 8601 week of a day, `YYYY-Www` (weeks start on Monday; week 1 holds the year's first Thursday).
 *
 * @example
 * isoWeek('2027-01-01') // '2026-W53'
 */
export function isoWeek(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  const thursday = new Date(date.getTime() + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  // The week's Thursday decides its year, and its day of that year its number.
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const LANGUAGE_NAMES: Readonly<Record<(typeof LANGUAGES)[number], string>> = { it: 'italiano', en: 'inglese' };

/** 2026-12-07 as 07/12/2026. */
function italianDate(day: string): string {
  const [year, month, date] = day.split('-');
  return `${date}/${month}/${year}`;
}
