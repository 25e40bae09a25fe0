import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { writeDraftFaq, type DraftGap } from '../../src/analytics/draft-faq';

describe('draft FAQs from knowledge gaps', () => {
  let kb: string;
  const now = new Date('2026-05-02T10:00:00Z');
  const gap: DraftGap = { key: 'comunale orari piscina', language: 'it', count: 12, period: { from: '2026-04-01', to: '2026-04-30' }, variants: ['orari piscina comunale', 'Orari piscine comunali?'] };
  beforeEach(() => {
    kb = mkdtempSync(path.join(os.tmpdir(), 'dialogo-drafts-'));
  });
  afterEach(() => rmSync(kb, { recursive: true, force: true }));
  const files = () => readdirSync(path.join(kb, 'drafts')).sort();

  test('the draft is dated by the day in Milan: at 00:30 on 2 May there, not 1 May as in UTC', () => {
    const draft = parse(writeDraftFaq(kb, gap, new Date('2026-05-01T22:30:00Z'), kb).content) as { editorNote: string };
    expect(draft.editorNote).toContain('Bozza creata dal cruscotto il 2026-05-02 ');
  });

  test('clicking the same gap three times keeps one file, refreshed, with the editor’s work kept', () => {
    const first = writeDraftFaq(kb, gap, now, kb);
    expect(first).toMatchObject({ file: 'drafts/draft-comunale-orari-piscina.yaml', created: true });
    expect(parse(first.content)).toMatchObject({ id: 'draft-comunale-orari-piscina', samples: { it: gap.variants, en: [] }, gap: { count: 12, period: gap.period, variants: gap.variants } });
    // The editor writes a title in the meantime.
    const edited = parse(readFileSync(path.join(kb, first.file), 'utf8'));
    writeFileSync(path.join(kb, first.file), stringify({ ...edited, title: { it: 'Piscine comunali: orari', en: 'Public swimming pools: hours' } }));
    const second = writeDraftFaq(kb, { ...gap, count: 15, period: { from: '2026-04-01', to: '2026-05-01' }, variants: ['a che ora apre la piscina comunale'] }, now, kb);
    const third = writeDraftFaq(kb, { ...gap, count: 15, period: { from: '2026-04-01', to: '2026-05-01' }, variants: ['a che ora apre la piscina comunale'] }, now, kb);
    expect(files()).toEqual(['draft-comunale-orari-piscina.yaml']);
    expect(second).toMatchObject({ file: first.file, created: false });
    expect(third.content).toBe(second.content);
    expect(parse(third.content)).toMatchObject({
      title: { it: 'Piscine comunali: orari' },
      samples: { it: [...gap.variants, 'a che ora apre la piscina comunale'] },
      gap: { count: 15, period: { from: '2026-04-01', to: '2026-05-01' }, variants: ['a che ora apre la piscina comunale', ...gap.variants] },
    });
  });

  test('another gap with the same file name gets its own, hashed, name; the same gap in English too', () => {
    writeDraftFaq(kb, gap, now, kb);
    const other = writeDraftFaq(kb, { ...gap, key: 'comunale: orari piscina', variants: ['x'] }, now, kb);
    const english = writeDraftFaq(kb, { ...gap, language: 'en', variants: ['pool hours'] }, now, kb);
    expect(other.file).toMatch(/^drafts\/draft-comunale-orari-piscina-[0-9a-f]{8}\.yaml$/);
    expect(english.file).toMatch(/^drafts\/draft-comunale-orari-piscina-[0-9a-f]{8}\.yaml$/);
    expect(english.file).not.toBe(other.file);
    expect(writeDraftFaq(kb, { ...gap, key: 'comunale: orari piscina', variants: ['y'] }, now, kb).file).toBe(other.file);
    expect(files()).toHaveLength(3);
    expect(files().some((f) => /-\d\.yaml$/.test(f))).toBe(false);
  });

  test('a draft the editor broke is never overwritten', () => {
    const first = writeDraftFaq(kb, gap, now, kb);
    writeFileSync(path.join(kb, first.file), 'id: [broken\n');
    const again = writeDraftFaq(kb, gap, now, kb);
    expect(readFileSync(path.join(kb, first.file), 'utf8')).toBe('id: [broken\n');
    // The gap's draft goes to its hashed name, and stays there on the next click.
    expect(again.file).not.toBe(first.file);
    expect(writeDraftFaq(kb, gap, now, kb).file).toBe(again.file);
  });
});
