import type { KnowledgeGapRow, RollupRow, RollupStore } from '../storage/ports';
import { type Counters } from './counter-sums';
import { daysBetween } from './rome-day';

/**
 * Counter names numbered in the order first met, shared by the digests of one cache (or of one
 * {@link digestDays} call), so that their sums add arrays of numbers, not objects by name.
 */
export class CounterNames {
  private readonly index = new Map<string, number>();
  readonly list: string[] = [];

  /** The number of `name`, given now if it has none yet. */
  id(name: string): number {
    let id = this.index.get(name);
    if (id === undefined) {
      id = this.list.push(name) - 1;
      this.index.set(name, id);
    }
    return id;
  }
}

/** Counters as the numbers of their names (a {@link CounterNames}) and their values. */
export interface PackedCounters {
  readonly ids: Int32Array;
  readonly values: Float64Array;
}

/**
 * One day's rollups summed the ways the analytics views group them: in all, by channel, by
 * language and by topic ('' for no topic). A year of them is a few hundred thousand numbers
 * instead of the tens of thousands of rows (each with its counters) they come from.
 */
export interface DayDigest {
  readonly day: string;
  readonly names: CounterNames;
  /** The day's counters by name (the monthly table's and the daily figures' input). */
  readonly total: Counters;
  readonly packedTotal: PackedCounters;
  readonly byChannel: ReadonlyMap<string, PackedCounters>;
  readonly byLanguage: ReadonlyMap<string, PackedCounters>;
  readonly byTopic: ReadonlyMap<string, PackedCounters>;
}

/** Days kept unless told otherwise: a three-year period (the longest) and the year before it. */
export const DAY_CACHE_LIMIT = 4 * 366 + 31;
/** Periods whose knowledge gaps are kept (the dashboard's presets and a few chosen periods). */
const GAP_PERIODS = 16;

/** An empty sum of counters: no prototype, so that a counter named like `constructor` is a counter. */
export function emptyCounters(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

/** Adds `counters` into `into`, by name. */
export function addInto(into: Record<string, number>, counters: Counters): void {
  for (const name in counters) into[name] = (into[name] ?? 0) + (counters[name] ?? 0);
}

function pack(names: CounterNames, counters: Counters): PackedCounters {
  const keys = Object.keys(counters);
  const ids = new Int32Array(keys.length);
  const values = new Float64Array(keys.length);
  keys.forEach((name, i) => {
    ids[i] = names.id(name);
    values[i] = counters[name] ?? 0;
  });
  return { ids, values };
}

/** A running sum of packed counters of one {@link CounterNames}. */
export class PackedSum {
  private sums: Float64Array;

  constructor(private readonly names: CounterNames) {
    this.sums = new Float64Array(names.list.length);
  }

  add(counters: PackedCounters): void {
    const { ids, values } = counters;
    for (let i = 0; i < ids.length; i += 1) {
      const id = ids[i]!;
      if (id >= this.sums.length) {
        const grown = new Float64Array(this.names.list.length);
        grown.set(this.sums);
        this.sums = grown;
      }
      this.sums[id]! += values[i]!;
    }
  }

  /** The sums by name (a counter never met reads as absent, which `n()` reads as 0). */
  counters(): Record<string, number> {
    const out = emptyCounters();
    for (let id = 0; id < this.sums.length; id += 1) if (this.sums[id] !== 0) out[this.names.list[id]!] = this.sums[id]!;
    return out;
  }
}

function namesOf(days: readonly DayDigest[]): CounterNames {
  const names = days[0]?.names ?? new CounterNames();
  if (days.some((d) => d.names !== names)) throw new Error('day digests of different caches cannot be summed together');
  return names;
}

/**
 * The days' counters summed in all.
 *
 * @example
 * sumDays(await cache.days('2026-04-01', '2026-04-30')).conversations;
 */
export function sumDays(days: readonly DayDigest[]): Record<string, number> {
  const sum = new PackedSum(namesOf(days));
  for (const digest of days) sum.add(digest.packedTotal);
  return sum.counters();
}

/**
 * The days' counters summed per group (a channel, a language, a topic), by group, in the order
 * the groups are first met.
 *
 * @example
 * sumGroups(await cache.days('2026-04-01', '2026-04-30'), (d) => d.byTopic).get('tari')?.conversations;
 */
export function sumGroups(days: readonly DayDigest[], groups: (d: DayDigest) => ReadonlyMap<string, PackedCounters>): Map<string, Record<string, number>> {
  const names = namesOf(days);
  const sums = new Map<string, PackedSum>();
  for (const digest of days) {
    for (const [id, counters] of groups(digest)) {
      let sum = sums.get(id);
      if (!sum) {
        sum = new PackedSum(names);
        sums.set(id, sum);
      }
      sum.add(counters);
    }
  }
  return new Map([...sums].map(([id, sum]) => [id, sum.counters()]));
}

function addTo(groups: Map<string, Record<string, number>>, id: string, counters: Counters): void {
  let sum = groups.get(id);
  if (!sum) {
    sum = emptyCounters();
    groups.set(id, sum);
  }
  addInto(sum, counters);
}

const packAll = (names: CounterNames, groups: Map<string, Record<string, number>>) => new Map([...groups].map(([id, c]) => [id, pack(names, c)]));

/**
 * The digest of each day from `from` to `to` (a day without rows has empty sums), from rows in
 * any order; rows outside the days are ignored. `names` numbers the counters (one of its own
 * unless given: digests summed together must share it).
 *
 * @example
 * const days = digestDays(await rollups.range('2026-04-01', '2026-04-30'), '2026-04-01', '2026-04-30');
 * sumGroups(days, (d) => d.byTopic).get('tari')?.conversations;
 */
export function digestDays(rows: readonly RollupRow[], from: string, to: string, names = new CounterNames()): DayDigest[] {
  const building = new Map<string, { total: Record<string, number>; byChannel: Map<string, Record<string, number>>; byLanguage: Map<string, Record<string, number>>; byTopic: Map<string, Record<string, number>> }>();
  for (const day of daysBetween(from, to)) building.set(day, { total: emptyCounters(), byChannel: new Map(), byLanguage: new Map(), byTopic: new Map() });
  for (const row of rows) {
    const digest = building.get(row.key.day);
    if (!digest) continue;
    addInto(digest.total, row.counters);
    addTo(digest.byChannel, row.key.channel, row.counters);
    addTo(digest.byLanguage, row.key.language, row.counters);
    addTo(digest.byTopic, row.key.topicId ?? '', row.counters);
  }
  return [...building].map(([day, d]) => ({
    day,
    names,
    total: d.total,
    packedTotal: pack(names, d.total),
    byChannel: packAll(names, d.byChannel),
    byLanguage: packAll(names, d.byLanguage),
    byTopic: packAll(names, d.byTopic),
  }));
}

/** What the cache reads of the store, and the number of reads of each, for diagnostics. */
export interface DayCacheStats {
  /** `range` calls (each a run of days not held, or held under an older revision). */
  rangeReads: number;
  /** Days read through them. */
  daysRead: number;
  /** Days answered from the cache. */
  daysHeld: number;
}

/**
 * The rollups of each day, as {@link DayDigest}s, kept in memory with the day's revision
 * (RollupStore.revisions): a request reads the revisions of its days, then the rows of only the
 * days it does not hold under the same revision. A day changes revision whenever anything of it
 * changes, whoever writes (a late event for a past day, a conversation finalised after midnight,
 * a rebuild, another instance in cluster mode), so a day held is never stale; days are not
 * guessed closed by the clock. The revisions are read before the rows, so rows written in
 * between are kept under the older revision and read again next time, never the other way round.
 * At most `limit` days are kept (least recently used go first).
 *
 * @example
 * const cache = new RollupDayCache(backend.rollups);
 * const days = await cache.days('2026-01-01', '2026-11-30'); // reads the store once
 * await cache.days('2026-01-01', '2026-11-30'); // reads the revisions only, unless a day changed
 */
export class RollupDayCache {
  private readonly held = new Map<string, { revision: number; digest: DayDigest }>();
  private readonly names = new CounterNames();
  private readonly gapsHeld = new Map<string, { revisions: string; gaps: KnowledgeGapRow[] }>();
  readonly stats: DayCacheStats = { rangeReads: 0, daysRead: 0, daysHeld: 0 };

  constructor(
    private readonly store: Pick<RollupStore, 'range' | 'revisions' | 'gaps'>,
    private readonly limit = DAY_CACHE_LIMIT,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the day cache's limit must be a whole number of at least 1, got ${limit}`);
  }

  /** The digests of the days from `from` to `to` (inclusive), in day order, current as of this call. */
  async days(from: string, to: string): Promise<DayDigest[]> {
    const wanted = daysBetween(from, to);
    const revisions = await this.store.revisions(from, to);
    const found = new Map<string, DayDigest>();
    const runs: { from: string; to: string; days: string[] }[] = [];
    let run: { from: string; to: string; days: string[] } | undefined;
    for (const day of wanted) {
      const kept = this.held.get(day);
      if (kept && kept.revision === (revisions.get(day) ?? 0)) {
        found.set(day, kept.digest);
        // Re-inserted: the Map's order is the least recently used first.
        this.held.delete(day);
        this.held.set(day, kept);
        this.stats.daysHeld += 1;
        run = undefined;
        continue;
      }
      if (run) {
        run.to = day;
        run.days.push(day);
      } else {
        run = { from: day, to: day, days: [day] };
        runs.push(run);
      }
    }
    for (const missing of runs) {
      const rows = await this.store.range(missing.from, missing.to);
      this.stats.rangeReads += 1;
      this.stats.daysRead += missing.days.length;
      for (const digest of digestDays(rows, missing.from, missing.to, this.names)) {
        found.set(digest.day, digest);
        this.held.delete(digest.day);
        this.held.set(digest.day, { revision: revisions.get(digest.day) ?? 0, digest });
      }
    }
    while (this.held.size > this.limit) {
      const oldest = this.held.keys().next().value;
      if (oldest === undefined) break;
      this.held.delete(oldest);
    }
    return wanted.map((day) => found.get(day) ?? digestDays([], day, day, this.names)[0]!);
  }

  /**
   * The knowledge gaps of the days from `from` to `to` (RollupStore.gaps), read again only when
   * a day of the period changed revision since the period was last read: a batch that adds a
   * gap changes its day's revision as one that adds counters does.
   */
  async gaps(from: string, to: string): Promise<KnowledgeGapRow[]> {
    const period = `${from}/${to}`;
    const revisions = JSON.stringify([...(await this.store.revisions(from, to))]);
    const kept = this.gapsHeld.get(period);
    this.gapsHeld.delete(period);
    if (kept && kept.revisions === revisions) {
      this.gapsHeld.set(period, kept);
      return kept.gaps;
    }
    const gaps = await this.store.gaps(from, to);
    this.gapsHeld.set(period, { revisions, gaps });
    if (this.gapsHeld.size > GAP_PERIODS) this.gapsHeld.delete(this.gapsHeld.keys().next().value ?? period);
    return gaps;
  }

  /** Days held now. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Reads the days from `from` to `to` into the cache a month at a time, yielding to the event
   * loop between months (a store's synchronous read of a month is tens of milliseconds; of a year,
   * a second). Stops early when `cancelled()` turns true.
   *
   * @example
   * await cache.warm('2025-01-01', '2026-12-05');
   */
  async warm(from: string, to: string, cancelled: () => boolean = () => false): Promise<void> {
    const days = daysBetween(from, to);
    for (let start = 0; start < days.length && !cancelled(); start += 31) {
      await this.days(days[start]!, days[Math.min(start + 30, days.length - 1)]!);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/** The first check waits a minute, as the forecast's: start-up is not the time for a year of reads. */
const WARM_DELAY_MS = 60 * 1000;

/**
 * A minute after start, reads into the cache the days the dashboard's default view asks for (the
 * twelve full months before this one, their year to date and the same days a year earlier, up to
 * today), so that the first supervisor of the day does not wait for them. Returns the stop.
 *
 * @example
 * const stopWarming = warmDayCacheLater(dayCache, { today: () => romeDay(Date.now()), onError: (e) => logger.warn({ err: e }, 'day cache not warmed') });
 * // at shutdown
 * stopWarming();
 */
export function warmDayCacheLater(cache: RollupDayCache, options: { readonly today: () => string; readonly onError: (error: unknown) => void; readonly delayMs?: number }): () => void {
  let stopped = false;
  const timer = setTimeout(() => {
    const today = options.today();
    const [year, month] = today.split('-').map(Number) as [number, number];
    // The "12m" preset starts on the first day of the month twelve months back; a year before it for the comparison.
    const from = new Date(Date.UTC(year - 2, month - 1, 1)).toISOString().slice(0, 10);
    cache.warm(from, today, () => stopped).catch(options.onError);
  }, options.delayMs ?? WARM_DELAY_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
