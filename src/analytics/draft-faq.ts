import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { romeDay } from './rome-day';

/** Where draft FAQs go: beside the topics, never loaded by the bot until an editor moves them. */
export const DRAFTS_FOLDER = 'drafts';
/** Most variants (citizens' redacted questions) a draft keeps. */
export const MAX_DRAFT_VARIANTS = 20;

/** A knowledge gap as the draft records it: what was asked, how often, when, and how. */
export interface DraftGap {
  readonly key: string;
  readonly language: 'it' | 'en';
  /** Fallback turns of the gap (its group) in the period; null when the caller does not know it. */
  readonly count: number | null;
  /** The period the count covers (`YYYY-MM-DD`, inclusive); null when unknown. */
  readonly period: { readonly from: string; readonly to: string } | null;
  /** The citizens' (redacted) questions of the gap. */
  readonly variants: readonly string[];
}

/** A draft written or found: its path (relative to `cwd`), its text, and whether this call created it. */
export interface DraftFile {
  readonly file: string;
  readonly content: string;
  readonly created: boolean;
}

const HEADER = '# Draft FAQ: not loaded by Dialogo until completed and moved to topics/.\n';

/**
 * Writes (or updates) the draft topic of a knowledge gap for the editors in
 * `<knowledge base>/drafts/`, which the loader does not read: nothing reaches citizens before an
 * editor completes it and moves it to `topics/`. The file name follows from the gap (its key,
 * with a short hash of language and key only when another gap's draft holds the plain name), so
 * a second click on the same gap finds the same file and never makes `-2`, `-3` copies: it
 * refreshes the gap's count, period and variants and adds the new variants to the samples,
 * keeping whatever the editor has written. A draft the editor has broken (not YAML) is
 * returned as it is, untouched. Returns the path relative to `cwd` and the file's text, which
 * the dashboard offers as a download.
 *
 * @example
 * writeDraftFaq('knowledge-base', { key: 'comunale orari piscina', language: 'it', count: 12, period: { from: '2026-04-01', to: '2026-04-30' }, variants: ['orari piscina comunale'] }, new Date());
 * // { file: 'knowledge-base/drafts/draft-comunale-orari-piscina.yaml', content: '# Draft FAQ…', created: true }
 */
export function writeDraftFaq(knowledgeBaseDir: string, gap: DraftGap, now: Date, cwd: string = process.cwd()): DraftFile {
  const dir = path.join(knowledgeBaseDir, DRAFTS_FOLDER);
  mkdirSync(dir, { recursive: true });
  const slug = `draft-${gap.key.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'gap'}`;
  const hash = createHash('sha256').update(`${gap.language}\u0000${gap.key}`).digest('hex').slice(0, 8);
  const variants = unique(gap.variants).slice(0, MAX_DRAFT_VARIANTS);
  for (const name of [slug, `${slug}-${hash}`]) {
    const file = path.join(dir, `${name}.yaml`);
    const existing = readIfThere(file);
    if (existing === undefined) {
      const content = `${HEADER}${stringify(newDraft(name, gap, variants, now))}`;
      writeAtomically(file, content);
      return { file: path.relative(cwd, file), content, created: true };
    }
    const draft = parseDraft(existing);
    if (draft === undefined) {
      // Not YAML any more: whose it is cannot be told, so the plain name is left to it.
      if (name === slug) continue;
      return { file: path.relative(cwd, file), content: existing, created: false };
    }
    const recorded = draft.gap as { key?: unknown; language?: unknown } | undefined;
    // A draft of another gap (or one without its gap recorded) under the plain name: use the hashed one.
    if (recorded?.key !== gap.key || recorded?.language !== gap.language) {
      if (name === slug) continue;
    }
    const content = `${HEADER}${stringify(updatedDraft(draft, gap, variants, now))}`;
    writeAtomically(file, content);
    return { file: path.relative(cwd, file), content, created: false };
  }
  // Both names hold other gaps' drafts: only a hash collision gets here.
  throw new Error(`no draft file name left for the gap ${JSON.stringify(gap.key)} (${gap.language})`);
}

function newDraft(id: string, gap: DraftGap, variants: readonly string[], now: Date): Record<string, unknown> {
  return {
    id,
    title: { it: 'TODO titolo', en: 'TODO title' },
    samples: { it: gap.language === 'it' ? [...variants] : [], en: gap.language === 'en' ? [...variants] : [] },
    answer: { it: 'TODO risposta (700 caratteri al massimo)', en: 'TODO answer (700 characters at most)' },
    link: 'TODO https://www.comune.milano.it/...',
    gap: gapRecord(gap, variants, now),
    editorNote:
      `Bozza creata dal cruscotto il ${romeDay(now.getTime())} da domande senza risposta (testo già oscurato; "gap" dice quante, in che periodo e come sono state poste). ` +
      'Completare titolo, almeno 12 domande in italiano e 4 in inglese, risposta, link, canale successivo, owner e fonti; togliere "gap" ed "editorNote", poi spostare in topics/ e lanciare npm run kb:lint.',
  };
}

function updatedDraft(draft: Record<string, unknown>, gap: DraftGap, variants: readonly string[], now: Date): Record<string, unknown> {
  const samples = isRecord(draft.samples) ? { ...draft.samples } : {};
  const current = Array.isArray(samples[gap.language]) ? (samples[gap.language] as unknown[]).filter((s): s is string => typeof s === 'string') : [];
  samples[gap.language] = unique([...current, ...variants]);
  const previous = isRecord(draft.gap) && Array.isArray(draft.gap.variants) ? draft.gap.variants.filter((v): v is string => typeof v === 'string') : [];
  return { ...draft, samples, gap: gapRecord(gap, unique([...variants, ...previous]).slice(0, MAX_DRAFT_VARIANTS), now) };
}

function gapRecord(gap: DraftGap, variants: readonly string[], now: Date): Record<string, unknown> {
  return {
    key: gap.key,
    language: gap.language,
    count: gap.count,
    period: gap.period ? { from: gap.period.from, to: gap.period.to } : null,
    variants: [...variants],
    updated: now.toISOString(),
  };
}

function parseDraft(text: string): Record<string, unknown> | undefined {
  try {
    const value = parse(text) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Through a temporary file and a rename, so that an editor never opens half a draft. */
function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, content, { flag: 'wx' });
  renameSync(temporary, file);
}

function unique(texts: readonly string[]): string[] {
  return [...new Set(texts.map((t) => t.trim()).filter(Boolean))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
