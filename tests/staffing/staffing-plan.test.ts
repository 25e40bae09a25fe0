import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { plannedOperators, STAFFING_PLAN_KEY, StaffingPlanStore, staffingPlanInputSchema, WEEKDAYS } from '../../src/staffing/staffing-plan';
import { tempDataDir } from '../fixtures/runtime';

const mongoUri = process.env.MONGODB_URI;
const row = (n: number) => Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 18 ? n : 0));
const weekly = Object.fromEntries(WEEKDAYS.map((d, i) => [d, row(i < 5 ? 6 : i === 5 ? 3 : 0)])) as Record<(typeof WEEKDAYS)[number], number[]>;

const backends: [string, () => Promise<{ backend: StorageBackend; reopen: () => Promise<StorageBackend>; cleanup: () => void }>][] = [
  ['sqlite', async () => {
    const dir = tempDataDir();
    return { backend: openSqliteBackend(dir), reopen: async () => openSqliteBackend(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }],
];
if (mongoUri) {
  backends.push(['mongodb', async () => {
    const db = `staffing_${randomUUID().slice(0, 8)}`;
    return { backend: await openMongoBackend(mongoUri, db), reopen: () => openMongoBackend(mongoUri, db), cleanup: () => undefined };
  }]);
}

describe.each(backends)('the staffing plan in the state store: %s', (_name, open) => {
  let backend: StorageBackend;
  let reopen: () => Promise<StorageBackend>;
  let cleanup: () => void;
  beforeEach(async () => {
    ({ backend, reopen, cleanup } = await open());
  });
  afterEach(async () => {
    await backend.close();
    cleanup();
  });

  test('no plan until one is saved; a saved plan survives a reopen, with who saved it and when', async () => {
    const store = new StaffingPlanStore(backend.state, () => new Date('2026-12-05T10:00:00Z'));
    expect(await store.load()).toBeNull();
    await store.save({ weekly, dates: { '2026-12-07': row(2) } }, 'sara');
    await backend.close();
    backend = await reopen();
    const plan = await new StaffingPlanStore(backend.state).load();
    expect(plan).toEqual({ weekly, dates: { '2026-12-07': row(2) }, updatedAt: '2026-12-05T10:00:00.000Z', updatedBy: 'sara' });
    expect(plannedOperators(plan!, '2026-12-07', 9)).toBe(2);
    expect(plannedOperators(plan!, '2026-12-09', 9)).toBe(6); // a Wednesday
    expect(plannedOperators(plan!, '2026-12-12', 9)).toBe(3); // a Saturday
    expect(plannedOperators(plan!, '2026-12-13', 9)).toBe(0); // a Sunday
  });

  test('a plan read but not saved for a week is written again unchanged, so that state retention never purges it', async () => {
    let now = new Date('2026-06-01T08:00:00Z');
    const store = new StaffingPlanStore(backend.state, () => now);
    await store.save({ weekly }, 'sara');
    now = new Date('2026-06-20T08:00:00Z');
    await store.load();
    const stored = (await backend.state.read([STAFFING_PLAN_KEY]))[STAFFING_PLAN_KEY] as { touchedAt: string; updatedAt: string };
    expect(stored).toMatchObject({ touchedAt: '2026-06-20T08:00:00.000Z', updatedAt: '2026-06-01T08:00:00.000Z' });
    expect((await store.load())!.updatedAt).toBe('2026-06-01T08:00:00.000Z');
  });

  test('a stored item that is not a plan reads as no plan, and says why', async () => {
    await backend.state.write({ [STAFFING_PLAN_KEY]: { weekly: { mon: [1] }, eTag: '*' } });
    const problems: string[][] = [];
    expect(await new StaffingPlanStore(backend.state, undefined, (issues) => problems.push(issues)).load()).toBeNull();
    expect(problems[0]!.join(' ')).toMatch(/weekly/);
  });
});

describe('the plan a supervisor sends', () => {
  test.each([
    ['a missing weekday', { weekly: { ...weekly, sun: undefined } }, /weekly\.sun/],
    ['23 hours', { weekly: { ...weekly, mon: row(1).slice(1) } }, /24 hours/],
    ['half an operator', { weekly: { ...weekly, tue: row(1.5) } }, /whole operators/],
    ['a negative number', { weekly: { ...weekly, wed: row(-1) } }, /negative/],
    ['a slipped digit', { weekly: { ...weekly, thu: row(6000) } }, /at most 500/],
    ['a string', { weekly: { ...weekly, fri: row(1).map(String) } }, /number/],
    ['an unknown key', { weekly, extra: true }, /extra|Unrecognized/],
    ['a date that does not exist', { weekly, dates: { '2026-02-30': row(1) } }, /real date/],
    // Month 13 and day 32 do not even parse: the check threw (a 500 from the route) instead of refusing.
    ['a thirteenth month', { weekly, dates: { '2026-13-01': row(1) } }, /2026-13-01: is not a real date/],
    ['a thirty-second day', { weekly, dates: { '2026-01-32': row(1) } }, /2026-01-32: is not a real date/],
    ['a date in another form', { weekly, dates: { '7/12/2026': row(1) } }, /YYYY-MM-DD/],
    ['too many dates', { weekly, dates: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10), row(1)])) }, /at most 100 dates/],
    ['not an object', [1, 2, 3], /object/],
  ])('%s is refused', (_what, body, message) => {
    const parsed = staffingPlanInputSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(' ')).toMatch(message);
  });
});
