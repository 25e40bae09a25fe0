import { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import { lintKnowledgeBase } from '../../src/knowledge/lint';
import { realRuntime } from '../fixtures/runtime';

describe('lintKnowledgeBase', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    kb = (await realRuntime()).kb;
  });

  test('the knowledge base as committed has no errors', () => {
    expect(lintKnowledgeBase(kb, new Date('2026-11-29T00:00:00Z')).filter((f) => f.level === 'error')).toEqual([]);
  });

  test('reports a sample used by two topics, stale reviews and passed review dates', () => {
    const imu = kb.get('imu')!;
    const tari = kb.get('tari-pagamento')!;
    const edited = new KnowledgeBase(
      [
        { ...imu, lastReviewed: '2024-01-10', reviewBy: '2025-01-01' },
        { ...tari, samples: { ...tari.samples, it: [...tari.samples.it, imu.samples.it[0]!] } },
      ],
      kb.synonyms,
    );
    const messages = lintKnowledgeBase(edited, new Date('2026-11-29T00:00:00Z')).map((f) => `${f.level} ${f.topicId} ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error tari-pagamento sample ".*" is also a sample of imu$/),
        expect.stringMatching(/^warning imu lastReviewed 2024-01-10 is older than 12 months$/),
        expect.stringMatching(/^warning imu reviewBy 2025-01-01 has passed/),
      ]),
    );
  });

  test('a link to the home page without the mark is an error; with the mark it is listed as a warning', () => {
    const imu = kb.get('imu')!;
    const at = new Date('2026-11-29T00:00:00Z');
    const { homePageOnly: _mark, ...unmarked } = { ...imu, homePageOnly: undefined };
    const bare = new KnowledgeBase([{ ...unmarked, link: 'https://www.comune.milano.it/' }], kb.synonyms);
    expect(lintKnowledgeBase(bare, at)).toEqual(
      expect.arrayContaining([{ level: 'error', topicId: 'imu', message: expect.stringMatching(/home page.*homePageOnly/) }]),
    );
    const marked = new KnowledgeBase([{ ...unmarked, link: 'https://www.comune.milano.it', homePageOnly: { reason: 'no Comune page found' } }], kb.synonyms);
    const findings = lintKnowledgeBase(marked, at);
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    expect(findings).toContainEqual({ level: 'warning', topicId: 'imu', message: "links to the portal's home page (homePageOnly): no Comune page found" });
    const stale = new KnowledgeBase([{ ...unmarked, homePageOnly: { reason: 'no Comune page found' } }], kb.synonyms);
    expect(lintKnowledgeBase(stale, at)).toContainEqual({ level: 'warning', topicId: 'imu', message: expect.stringMatching(/marked homePageOnly but no longer links/) });
  });

  test('a next.url equal to the link is a warning, whatever the trailing slash or www', () => {
    const imu = kb.get('imu')!;
    const page = 'https://www.comune.milano.it/servizi/imu-calcolo-e-pagamento-per-abitazione-principale-e-per-altri-fabbricati';
    const same = new KnowledgeBase([{ ...imu, link: page, next: { ...imu.next, url: `${page.replace('www.', '')}/` } }], kb.synonyms);
    expect(lintKnowledgeBase(same, new Date('2026-11-29T00:00:00Z'))).toContainEqual({
      level: 'warning',
      topicId: 'imu',
      message: expect.stringMatching(/^link and next\.url are the same page/),
    });
    const different = new KnowledgeBase([{ ...imu, link: page, next: { ...imu.next, url: 'https://checkout.pagopa.it' } }], kb.synonyms);
    expect(lintKnowledgeBase(different, new Date('2026-11-29T00:00:00Z')).some((f) => f.message.startsWith('link and next.url'))).toBe(false);
  });
  test("a facet's link to the home page without the mark is an error, marked it is listed; a facet sample shared with another topic is an error", () => {
    const imu = kb.get('imu')!;
    const tari = kb.get('tari-pagamento')!;
    const facet = (id: string, extra: object = {}) => ({
      id,
      shortTitle: { it: id, en: id },
      samples: { it: [`imu ${id} uno`, `imu ${id} due`, `imu ${id} tre`], en: [`imu ${id} one`, `imu ${id} two`] },
      answer: { it: 'Risposta.', en: 'Answer.' },
      lastReviewed: '2026-12-05',
      ...extra,
    });
    const edited = new KnowledgeBase(
      [
        { ...imu, facets: [facet('a', { link: 'https://www.comune.milano.it' }), facet('b', { link: 'https://www.comune.milano.it/', homePageOnly: { reason: 'nessuna pagina nota' } }), facet('c'), facet('d')] },
        { ...tari, samples: { ...tari.samples, it: [...tari.samples.it, 'imu c uno'] } },
      ],
      kb.synonyms,
    );
    const messages = lintKnowledgeBase(edited, new Date('2026-12-05T00:00:00Z')).map((f) => `${f.level} ${f.topicId} ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error imu facet a links to the portal's home page: use the deepest official page/),
        'warning imu facet b links to the portal\'s home page (homePageOnly): nessuna pagina nota',
        'error tari-pagamento sample "imu c uno" is also a sample of imu',
      ]),
    );
    // A facet without its own link shows the topic's page: the topic's mark covers it; its own mark lists it.
    const homeTopic = { ...imu, link: 'https://www.comune.milano.it', homePageOnly: { reason: 'nessuna pagina' }, facets: [facet('a'), facet('b', { homePageOnly: { reason: 'modulo ignoto' } }), facet('c'), facet('d')] };
    const inherited = lintKnowledgeBase(new KnowledgeBase([homeTopic], kb.synonyms), new Date('2026-12-05T00:00:00Z')).map((f) => `${f.level} ${f.message}`);
    expect(inherited.filter((m) => m.startsWith('error'))).toEqual([]);
    expect(inherited).toContain("warning facet b links to the portal's home page (homePageOnly): modulo ignoto");
  });
});
