import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { communicationsFileSchema } from '../../src/knowledge/communication-schema';
import { ACTIVE_PRIOR, calendarDay, CommunicationsCalendar } from '../../src/knowledge/communications';
import { KnowledgeBaseError, loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { withPrior } from '../../src/nlu/communication-prior';
import { communication } from '../fixtures/communications';
import { KB_DIR, faqRecognition } from '../fixtures/runtime';

describe('communications.yaml loaded with the knowledge base', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-comms-'));
    mkdirSync(path.join(dir, 'topics'));
    writeFileSync(path.join(dir, 'synonyms.yaml'), readFileSync(path.join(KB_DIR, 'synonyms.yaml')));
    for (const id of ['imu', 'carta-identita']) writeFileSync(path.join(dir, 'topics', `${id}.yaml`), readFileSync(path.join(KB_DIR, 'topics', `${id}.yaml`)));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (items: unknown[]) => writeFileSync(path.join(dir, 'communications.yaml'), YAML.stringify({ communications: items }));
  async function refusal(): Promise<KnowledgeBaseError> {
    const error = await loadKnowledgeBase(dir).then(() => undefined, (e: unknown) => e);
    if (!(error instanceof KnowledgeBaseError)) throw new Error('expected the knowledge base to be refused');
    return error;
  }

  test('the project calendar validates against the schema and names only existing topics', async () => {
    const kb = await loadKnowledgeBase(KB_DIR);
    expect(kb.calendar.size).toBeGreaterThanOrEqual(30);
    const kinds = new Set(kb.calendar.communications.map((c) => c.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['payment-deadline', 'enrolment-opens', 'enrolment-closes', 'rule-change', 'office-closure', 'campaign']));
    for (const c of kb.calendar.communications) for (const t of c.topics) expect(kb.get(t)).toBeDefined();
  });

  test('a folder without communications.yaml loads with an empty calendar', async () => {
    const kb = await loadKnowledgeBase(dir);
    expect(kb.calendar.size).toBe(0);
    expect(kb.calendar.active('2026-12-05')).toEqual([]);
  });

  test('a communication naming a topic that does not exist is refused with file, field and line', async () => {
    write([communication({ topics: ['imu', 'tassa-inesistente'] })]);
    const error = await refusal();
    expect(error.problems).toEqual([
      expect.objectContaining({ file: 'communications.yaml', path: 'communications[0].topics[1]', line: 8, message: expect.stringContaining('tassa-inesistente') }),
    ]);
    expect(error.message).toContain("cita l'argomento «tassa-inesistente», che non esiste");
  });

  test("a topic whose file is there but broken is reported on its file only, not again for each communication naming it", async () => {
    writeFileSync(path.join(dir, 'topics', 'imu.yaml'), 'id: imu\n');
    write([communication({ id: 'a' }), communication({ id: 'b' })]);
    const error = await refusal();
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems.filter((p) => p.file === 'communications.yaml')).toEqual([]);
  });

  test('an impossible date and an effective day before publication are each reported on their field', async () => {
    write([communication({ id: 'a', published: '2026-02-30' }), communication({ id: 'b', published: '2026-12-10', effective: '2026-12-01' })]);
    const error = await refusal();
    expect(error.problems.map((p) => p.path)).toEqual(['communications[0].published', 'communications[1].effective']);
    expect(error.problems[0]?.messageIt).toMatch(/non è una data valida/);
  });

  test('an id used twice is reported on the second one', async () => {
    write([communication({ id: 'b' }), communication({ id: 'b' })]);
    const error = await refusal();
    expect(error.problems).toEqual([expect.objectContaining({ path: 'communications[1].id', message: expect.stringMatching(/used twice/) })]);
  });

  test('the schema refuses an unknown kind and an until before effective', () => {
    const parsed = communicationsFileSchema.safeParse({ communications: [{ ...communication(), kind: 'party' }, communication({ id: 'x', until: '2026-12-15' })] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['communications.0.kind', 'communications.1.until']));
  });
});

describe('active windows', () => {
  const calendar = new CommunicationsCalendar([communication({ id: 'window', published: '2026-02-04', effective: '2026-02-04', until: '2026-02-25', topics: ['nidi-infanzia-iscrizioni'] })]);

  test.each([
    ['2026-02-03T22:59:59Z', false, 'the evening before in Milan (23:59:59, winter time)'],
    ['2026-02-03T23:00:00Z', true, 'midnight in Milan on the day it is published'],
    ['2026-02-25T22:59:59Z', true, 'the last minute of its last day in Milan'],
    ['2026-02-25T23:00:00Z', false, 'midnight in Milan after its last day'],
  ])('at %s it is active: %s (%s)', (instant, expected) => {
    expect(calendar.active(calendarDay(new Date(instant))).map((c) => c.id)).toEqual(expected ? ['window'] : []);
  });

  test("summer time: Milan's day starts at 22:00 UTC", () => {
    const summer = new CommunicationsCalendar([communication({ id: 's', published: '2026-06-01', effective: '2026-06-16' })]);
    expect(summer.active(calendarDay(new Date('2026-05-31T21:59:59Z')))).toEqual([]);
    expect(summer.active(calendarDay(new Date('2026-05-31T22:00:00Z'))).map((c) => c.id)).toEqual(['s']);
  });

  test('a one-day event without until is active from publication to its effective day only', () => {
    const one = new CommunicationsCalendar([communication()]);
    expect(one.active('2026-11-30')).toEqual([]);
    expect(one.active('2026-12-01')).toHaveLength(1);
    expect(one.active('2026-12-16')).toHaveLength(1);
    expect(one.active('2026-12-17')).toEqual([]);
  });

  test("a topic's notices: most recent effective first, at most two, the same text once", () => {
    const many = new CommunicationsCalendar([
      communication({ id: 'old', effective: '2026-12-10', notice: { it: 'vecchio', en: 'old' } }),
      communication({ id: 'new', effective: '2026-12-20', notice: { it: 'nuovo', en: 'new' } }),
      communication({ id: 'newest', effective: '2026-12-30', notice: { it: 'nuovissimo', en: 'newest' } }),
      communication({ id: 'other-topic', topics: ['area-b'], notice: { it: 'area b', en: 'area b' } }),
    ]);
    const notices = (calendar: CommunicationsCalendar, language: 'it' | 'en', today: string) => calendar.noticesFor('imu', language, today).map((c) => c.notice[language]);
    expect(notices(many, 'it', '2026-12-05')).toEqual(['nuovissimo', 'nuovo']);
    expect(notices(many, 'en', '2026-12-05')).toEqual(['newest', 'new']);
    expect(notices(many, 'it', '2026-11-30')).toEqual([]);
    const twins = new CommunicationsCalendar([communication({ id: 'a' }), communication({ id: 'b' })]);
    expect(notices(twins, 'it', '2026-12-05')).toEqual(['IMU: saldo entro il 16 dicembre.']);
    // Twins are dropped before the cap: they do not hide a third, different notice.
    const twinsAndOther = new CommunicationsCalendar([
      communication({ id: 'a', effective: '2026-12-20' }),
      communication({ id: 'b', effective: '2026-12-20' }),
      communication({ id: 'c', effective: '2026-12-10', notice: { it: 'altro', en: 'other' } }),
    ]);
    expect(notices(twinsAndOther, 'it', '2026-12-05')).toEqual(['IMU: saldo entro il 16 dicembre.', 'altro']);
    expect(twinsAndOther.noticesFor('imu', 'it', '2026-12-05').map((c) => c.id)).toEqual(['a', 'c']);
  });

  test("the greeting's choice: the nearest coming days first, then windows already running", () => {
    const cal = new CommunicationsCalendar([
      communication({ id: 'running', published: '2026-11-01', effective: '2026-11-01', until: '2026-12-31' }),
      communication({ id: 'in-ten-days', effective: '2026-12-15' }),
      communication({ id: 'in-two-days', effective: '2026-12-07' }),
    ]);
    expect(cal.forGreeting('2026-12-05').map((c) => c.id)).toEqual(['in-two-days', 'in-ten-days']);
    expect(cal.forGreeting('2026-12-16').map((c) => c.id)).toEqual(['running']);
  });
});

describe('the recognition prior of active topics', () => {
  const calendar = new CommunicationsCalendar([communication({ topics: ['imu'] })]);
  const prior = (today: string) => (id: string) => calendar.prior(id, today);

  test('is 1 outside the window and the documented boost inside', () => {
    expect(calendar.prior('imu', '2026-11-30')).toBe(1);
    expect(calendar.prior('imu', '2026-12-05')).toBe(ACTIVE_PRIOR);
    expect(calendar.prior('tari-pagamento', '2026-12-05')).toBe(1);
  });

  test('breaks a near-tie in favour of the announced topic, which keeps its own confidence', () => {
    const recognition = { ...faqRecognition({ 'tari-pagamento': 0.4, imu: 0.38 }), text: 'tassa casa', recognizer: 'table' };
    expect(withPrior(recognition, prior('2026-11-30'))).toBe(recognition);
    const boosted = withPrior(recognition, prior('2026-12-05'));
    expect(boosted.candidates).toEqual([{ topicId: 'imu', confidence: 0.38 }, { topicId: 'tari-pagamento', confidence: 0.4 }]);
    expect(boosted.band).toBe('disambiguate');
  });

  test('never overrides a clear other topic, never lifts a guess into an answer, never demotes an answer it does not reorder', () => {
    const clear = { ...faqRecognition({ 'tari-pagamento': 0.56, imu: 0.3 }), text: 'x', recognizer: 'table' };
    expect(withPrior(clear, prior('2026-12-05'))).toBe(clear);
    expect(clear.band).toBe('answer');
    // Just beyond the limit: the other topic is 16 % more likely, the boost is 15 %.
    const edge = withPrior({ ...faqRecognition({ 'tari-pagamento': 0.348, imu: 0.3 }), text: 'x', recognizer: 'table' }, prior('2026-12-05'));
    expect(edge.candidates[0]?.topicId).toBe('tari-pagamento');
    const lone = withPrior({ ...faqRecognition({ imu: 0.52, 'tari-pagamento': 0.05 }), text: 'x', recognizer: 'table' }, prior('2026-12-05'));
    expect(lone.candidates[0]).toEqual({ topicId: 'imu', confidence: 0.52 });
    expect(lone.band).toBe('disambiguate');
  });
});
