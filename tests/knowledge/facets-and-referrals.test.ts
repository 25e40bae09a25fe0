import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { KnowledgeBaseError, loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { KB_DIR } from '../fixtures/runtime';

const facet = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  shortTitle: { it: `Voce ${id}`, en: `Item ${id}` },
  samples: { it: [`domanda ${id} uno`, `domanda ${id} due`, `domanda ${id} tre`], en: [`question ${id} one`, `question ${id} two`] },
  answer: { it: `Risposta breve su ${id}.`, en: `Short answer on ${id}.` },
  lastReviewed: '2026-12-01',
  ...extra,
});

const referral = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  who: { it: 'Questura di Milano', en: 'Milan police headquarters (Questura)' },
  title: { it: 'Passaporto', en: 'Passport' },
  shortTitle: { it: 'Passaporto', en: 'Passport' },
  samples: {
    it: ['passaporto', 'rinnovo passaporto', 'passaporto scaduto', 'passaporto per mio figlio', 'dove si fa il passaporto', 'agenda passaporto', 'passaporto urgente', 'costo del passaporto'],
    en: ['passport', 'renew passport', 'passport appointment', 'passport fee'],
  },
  answer: { it: 'Il passaporto lo rilascia la Questura, non il Comune.', en: 'Passports are issued by the Questura, not the City.' },
  link: 'https://www.poliziadistato.it/articolo/passaporto',
  sources: [{ url: 'https://www.poliziadistato.it/articolo/passaporto' }],
  lastReviewed: '2026-12-01',
  ...extra,
});

describe('facets and referrals in the knowledge base', () => {
  let dir: string;
  const imuFile = () => path.join(dir, 'topics', 'imu.yaml');
  const imu = () => YAML.parse(readFileSync(path.join(KB_DIR, 'topics', 'imu.yaml'), 'utf8')) as Record<string, unknown>;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-facets-'));
    mkdirSync(path.join(dir, 'topics'));
    writeFileSync(path.join(dir, 'synonyms.yaml'), readFileSync(path.join(KB_DIR, 'synonyms.yaml')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function refusal(): Promise<KnowledgeBaseError> {
    const error = await loadKnowledgeBase(dir).then(() => undefined, (e: unknown) => e);
    if (!(error instanceof KnowledgeBaseError)) throw new Error('expected the knowledge base to be refused');
    return error;
  }

  test("a topic's facets are loaded, and their samples train the topic's class", async () => {
    writeFileSync(imuFile(), YAML.stringify({ ...imu(), facets: ['scadenze', 'calcolo', 'esenzioni', 'pagamento'].map((id) => facet(id)) }));
    const kb = await loadKnowledgeBase(dir);
    expect(kb.get('imu')?.facets?.map((f) => f.id)).toEqual(['scadenze', 'calcolo', 'esenzioni', 'pagamento']);
    expect(kb.facet('imu', 'calcolo')?.answer.it).toBe('Risposta breve su calcolo.');
    const imuClass = kb.entries.find((e) => e.id === 'imu');
    expect(imuClass?.samples.it).toEqual(expect.arrayContaining(['domanda calcolo uno', ...(imu().samples as { it: string[] }).it]));
  });

  test('fewer than four facets, a facet answer over 300 characters or a repeated facet id are refused in Italian, with the field', async () => {
    writeFileSync(imuFile(), YAML.stringify({ ...imu(), facets: [facet('a'), facet('b'), facet('c')] }));
    expect((await refusal()).message).toMatch(/topics\/imu\.yaml, riga \d+, campo facets: servono almeno 4 risposte specifiche \(facets\): ora ce ne sono 3/);

    writeFileSync(imuFile(), YAML.stringify({ ...imu(), facets: [facet('a', { answer: { it: 'x'.repeat(301), en: 'ok' } }), facet('b'), facet('c'), facet('d')] }));
    expect((await refusal()).message).toMatch(/campo facets\[0\]\.answer\.it: la risposta in italiano può avere al massimo 300 caratteri: ora ne ha 301/);

    writeFileSync(imuFile(), YAML.stringify({ ...imu(), facets: [facet('a'), facet('b'), facet('a'), facet('d')] }));
    expect((await refusal()).message).toMatch(/campo facets\[2\]\.id: «a» è già l'id di un'altra voce dello stesso elenco/);
  });

  test("a facet named 'overview' is refused: that name stands for the topic's overview in answers' /go links", async () => {
    writeFileSync(imuFile(), YAML.stringify({ ...imu(), facets: [facet('overview'), facet('b'), facet('c'), facet('d')] }));
    expect((await refusal()).message).toMatch(/campo facets\[0\]\.id: «overview» è un nome riservato alla scheda generale del tema/);
  });

  test('a short title over 20 characters is refused: buttons show authored titles, never cut ones', async () => {
    writeFileSync(imuFile(), YAML.stringify({ ...imu(), shortTitle: { it: 'Imposta municipale propria', en: 'IMU' } }));
    expect((await refusal()).message).toMatch(/campo shortTitle\.it: il titolo breve dei pulsanti \(shortTitle\) in italiano può avere al massimo 20 caratteri: ora ne ha 26/);
  });

  test('referrals.yaml is optional; when present its matters become recognizer classes of kind referral', async () => {
    writeFileSync(imuFile(), YAML.stringify(imu()));
    expect((await loadKnowledgeBase(dir)).referrals).toEqual([]);
    writeFileSync(path.join(dir, 'referrals.yaml'), YAML.stringify({ referrals: [referral('passaporto')] }));
    const kb = await loadKnowledgeBase(dir);
    expect(kb.referral('passaporto')?.who.it).toBe('Questura di Milano');
    expect(kb.entry('passaporto')).toMatchObject({ kind: 'referral' });
    expect(kb.entry('imu')).toMatchObject({ kind: 'topic' });
    expect(kb.entries.map((e) => [e.id, e.kind])).toEqual([['imu', 'topic'], ['passaporto', 'referral']]);
  });

  test("a referral that reuses a topic's id, or lacks who handles it, is refused naming the file", async () => {
    writeFileSync(imuFile(), YAML.stringify(imu()));
    writeFileSync(path.join(dir, 'referrals.yaml'), YAML.stringify({ referrals: [referral('imu')] }));
    expect((await refusal()).message).toMatch(/referrals\.yaml.*l'id «imu» è già usato dall'argomento topics\/imu\.yaml/);

    const { who: _who, ...withoutWho } = referral('passaporto');
    writeFileSync(path.join(dir, 'referrals.yaml'), YAML.stringify({ referrals: [withoutWho] }));
    expect((await refusal()).message).toMatch(/referrals\.yaml, riga 2, campo referrals\[0\]\.who: manca l'ente competente \(who\)/);
  });
});
