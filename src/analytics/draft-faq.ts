import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

/** Where draft FAQs go: beside the topics, never loaded by the bot until an editor moves them. */
export const DRAFTS_FOLDER = 'drafts';

/**
 * Writes a draft topic for the editors from a knowledge gap: the citizens' (redacted) questions
 * as samples and everything an editor must fill marked TODO. The file lands in
 * `<knowledge base>/drafts/`, which the loader does not read, so nothing reaches citizens before
 * an editor completes it and moves it to `topics/`. Never overwrites: a taken name gets `-2`, `-3`...
 * Returns the file's path relative to the project.
 *
 * @example
 * writeDraftFaq('knowledge-base', { key: 'comunal orari piscin', language: 'it', examples: ['orari piscina comunale'] }, new Date());
 * // 'knowledge-base/drafts/draft-comunal-orari-piscin.yaml'
 */
export function writeDraftFaq(knowledgeBaseDir: string, gap: { key: string; language: 'it' | 'en'; examples: readonly string[] }, now: Date, cwd: string = process.cwd()): string {
  const dir = path.join(knowledgeBaseDir, DRAFTS_FOLDER);
  mkdirSync(dir, { recursive: true });
  const slug = `draft-${gap.key.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'gap'}`;
  let file = path.join(dir, `${slug}.yaml`);
  for (let n = 2; existsSync(file); n += 1) file = path.join(dir, `${slug}-${n}.yaml`);
  const id = path.basename(file, '.yaml');
  const samples = [...new Set(gap.examples.map((e) => e.trim()).filter(Boolean))];
  const draft = {
    id,
    title: { it: 'TODO titolo', en: 'TODO title' },
    samples: { it: gap.language === 'it' ? samples : [], en: gap.language === 'en' ? samples : [] },
    answer: { it: 'TODO risposta (700 caratteri al massimo)', en: 'TODO answer (700 characters at most)' },
    link: 'TODO https://www.comune.milano.it/...',
    editorNote: `Bozza creata dal cruscotto il ${now.toISOString().slice(0, 10)} da domande senza risposta (testo già oscurato). Completare titolo, almeno 12 domande in italiano e 4 in inglese, risposta, link, canale successivo, owner e fonti, poi spostare in topics/ e lanciare npm run kb:lint.`,
  };
  writeFileSync(file, `# Draft FAQ: not loaded by Dialogo until moved to topics/ and completed.\n${stringify(draft)}`, { flag: 'wx' });
  return path.relative(cwd, file);
}
