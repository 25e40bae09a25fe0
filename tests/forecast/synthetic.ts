import { addDays, dayRange, isCityHoliday, weekday } from '../../src/forecast/calendar-days';
import { windowsOn } from '../../src/forecast/communication-effects';
import { dayNumber } from '../../src/forecast/calendar-days';
import type { Communication } from '../../src/knowledge/communication-schema';
import type { RollupRow } from '../../src/storage/ports';

/** A Poisson draw (Knuth's product method, in chunks of mean at most 20 so that exp does not underflow). */
export function poisson(mean: number, random: () => number): number {
  let count = 0;
  let left = mean;
  while (left > 0) {
    const chunk = Math.min(20, left);
    left -= chunk;
    const limit = Math.exp(-chunk);
    let product = random();
    while (product > limit) {
      count += 1;
      product *= random();
    }
  }
  return count;
}

/** Monday first: a contact centre's week. */
export const WEEK_SHAPE = [1.3, 1.15, 1.1, 1.05, 1.0, 0.55, 0.35];

/** A communication for tests, with defaults for what the forecast does not read. */
export function communication(c: Partial<Communication> & Pick<Communication, 'id' | 'kind' | 'effective' | 'topics'>): Communication {
  return {
    published: c.effective,
    channels: ['portal'],
    notice: { it: 'Avviso di prova.', en: 'Test notice.' },
    ...c,
  };
}

export interface SyntheticOptions {
  readonly from: string;
  readonly days: number;
  /** Mean contacts per topic on an ordinary Friday. */
  readonly perTopic: Readonly<Record<string, number>>;
  readonly calendar: readonly Communication[];
  /** The true uplift per communication window name (`e0`, `e-3`...) on its topics. */
  readonly uplift: (c: Communication, window: string) => number;
  readonly random: () => number;
  readonly channels?: readonly string[];
}

/**
 * Rollup rows of a known process: topic level x weekday shape x 0.35 on holidays x (1 + the
 * communications' uplift), Poisson counts, split over channels; handoffs are 5 % of contacts.
 */
export function syntheticRows(options: SyntheticOptions): RollupRow[] {
  const rows: RollupRow[] = [];
  const channels = options.channels ?? ['directline'];
  for (const day of dayRange(options.from, addDays(options.from, options.days - 1))) {
    const t = dayNumber(day);
    const shape = isCityHoliday(day) ? 0.35 : (WEEK_SHAPE[weekday(day)] ?? 1);
    for (const [topicId, level] of Object.entries(options.perTopic)) {
      let factor = 1;
      for (const c of options.calendar) {
        if (!c.topics.includes(topicId)) continue;
        for (const w of windowsOn(c, t)) factor *= 1 + options.uplift(c, w.name);
      }
      channels.forEach((channel, i) => {
        const share = channels.length === 1 ? 1 : i === 0 ? 0.7 : 0.3 / (channels.length - 1);
        const conversations = poisson(level * shape * factor * share, options.random);
        const handoffsQueued = poisson(level * shape * factor * share * 0.05, options.random);
        rows.push({ key: { day, channel, language: 'it', topicId }, counters: { conversations, handoffsQueued } });
      });
    }
  }
  return rows;
}
