import type Database from 'better-sqlite3';
import { DAY_PATTERN, addExample, mergeBatch, sumGapDays } from '../../analytics/rollup-batch';
import type { RollupRow, RollupStore } from '../ports';

const CHECKPOINT_ID = 'aggregator';

interface GapDbRow {
  day: string;
  language: string;
  key: string;
  count: number;
  examples: string;
}

function parseExamples(text: string, where: string): string[] {
  const value = JSON.parse(text) as unknown;
  if (!Array.isArray(value) || !value.every((e) => typeof e === 'string')) throw new Error(`${where}: examples must be a JSON array of strings`);
  return value;
}

/**
 * Rollups as one row per key and counter (`rollups`, `topic_id` '' for no topic), added to with
 * `ON CONFLICT DO UPDATE SET value = value + excluded.value`; knowledge gaps per day, language
 * and key (`gaps`); the checkpoint as JSON text (`analytics_checkpoint`); each day's revision
 * (`rollup_revisions`), set in the same transaction as the day's rows, so that it cannot
 * disagree with them. A batch, checkpoint included, is one immediate transaction: all of it is
 * stored or none.
 *
 * @example
 * const rollups = sqliteRollupStore(db);
 * await rollups.apply({ increments: [{ key: { day: '2026-04-01', channel: 'webchat', language: 'it', topicId: null }, counters: { turns: 1 } }], gaps: [] });
 */
export function sqliteRollupStore(db: Database.Database): RollupStore {
  const addCounter = db.prepare(
    `INSERT INTO rollups (day, channel, language, topic_id, counter, value) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (day, channel, language, topic_id, counter) DO UPDATE SET value = value + excluded.value`,
  );
  const readGap = db.prepare<[string, string, string], GapDbRow>('SELECT * FROM gaps WHERE day = ? AND language = ? AND key = ?');
  const writeGap = db.prepare(
    `INSERT INTO gaps (day, language, key, count, examples) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (day, language, key) DO UPDATE SET count = excluded.count, examples = excluded.examples`,
  );
  // A year is a million or so counter rows: SQLite folds each key's counters into one JSON object,
  // so JavaScript sees one row per key (the table's key order, so no sort).
  const selectRange = db
    .prepare<[string, string], unknown[]>(
      'SELECT day, channel, language, topic_id, json_group_object(counter, value) FROM rollups WHERE day >= ? AND day <= ? GROUP BY day, channel, language, topic_id ORDER BY day, channel, language, topic_id',
    )
    .raw(true);
  const selectGaps = db.prepare<[string, string], GapDbRow>('SELECT * FROM gaps WHERE day >= ? AND day <= ? ORDER BY day, language, key');
  // Revisions come from one sequence that only grows (its rows are never deleted), so a day never
  // gets back a revision it had: a reader that kept a day under its revision can trust it.
  const nextRevision = db.prepare<[], { next: number }>('SELECT coalesce(max(revision), 0) + 1 AS next FROM rollup_revisions');
  const setRevision = db.prepare('INSERT INTO rollup_revisions (day, revision) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET revision = excluded.revision');
  const selectRevisions = db.prepare<[string, string], [string, number]>('SELECT day, revision FROM rollup_revisions WHERE day >= ? AND day <= ?').raw(true);
  const touch = (days: Iterable<string>) => {
    const revision = nextRevision.get()?.next ?? 1;
    for (const day of days) setRevision.run(day, revision);
  };
  const readCheckpoint = db.prepare<[string], { body: string }>('SELECT body FROM analytics_checkpoint WHERE id = ?');
  const writeCheckpoint = db.prepare('INSERT INTO analytics_checkpoint (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body');

  const applyAll = db.transaction((merged: ReturnType<typeof mergeBatch>, checkpoint: string | undefined) => {
    for (const { key, counters } of merged.increments) {
      for (const [name, value] of Object.entries(counters)) addCounter.run(key.day, key.channel, key.language, key.topicId ?? '', name, value);
    }
    for (const gap of merged.gaps) {
      const stored = readGap.get(gap.day, gap.language, gap.key);
      const examples = stored ? parseExamples(stored.examples, `sqlite gaps row ${gap.id}`) : [];
      for (const example of gap.examples) addExample(examples, example);
      writeGap.run(gap.day, gap.language, gap.key, (stored?.count ?? 0) + gap.count, JSON.stringify(examples));
    }
    const days = new Set([...merged.increments.map((i) => i.key.day), ...merged.gaps.map((g) => g.day)]);
    if (days.size > 0) touch(days);
    if (checkpoint !== undefined) writeCheckpoint.run(CHECKPOINT_ID, checkpoint);
  });
  const clearFromDay = db.transaction((fromDay: string) => {
    db.prepare('UPDATE rollup_revisions SET revision = ? WHERE day >= ?').run(nextRevision.get()?.next ?? 1, fromDay);
    db.prepare('DELETE FROM rollups WHERE day >= ?').run(fromDay);
    db.prepare('DELETE FROM gaps WHERE day >= ?').run(fromDay);
    db.prepare('DELETE FROM analytics_checkpoint').run();
  });
  const clearAll = db.transaction(() => {
    db.prepare('UPDATE rollup_revisions SET revision = ?').run(nextRevision.get()?.next ?? 1);
    db.prepare('DELETE FROM rollups').run();
    db.prepare('DELETE FROM gaps').run();
    db.prepare('DELETE FROM analytics_checkpoint').run();
  });

  return {
    async apply(batch) {
      const merged = mergeBatch(batch);
      const checkpoint = batch.checkpoint === undefined ? undefined : JSON.stringify(batch.checkpoint);
      applyAll.immediate(merged, checkpoint);
    },
    async range(fromDay, toDay) {
      const rows: RollupRow[] = [];
      for (const raw of selectRange.iterate(fromDay, toDay)) {
        const [day, channel, language, topic, counters] = raw as [string, string, string, string, string];
        const parsed = JSON.parse(counters) as Record<string, number>;
        for (const name of Object.keys(parsed)) parsed[name] = Number(parsed[name]);
        rows.push({ key: { day, channel, language, topicId: topic === '' ? null : topic }, counters: parsed });
      }
      return rows;
    },
    async revisions(fromDay, toDay) {
      return new Map(selectRevisions.all(fromDay, toDay));
    },
    async gaps(fromDay, toDay) {
      return sumGapDays(
        selectGaps.all(fromDay, toDay).map((r) => ({ language: r.language, key: r.key, count: r.count, examples: parseExamples(r.examples, `sqlite gaps row ${r.day}/${r.key}`) })),
      );
    },
    async clear() {
      clearAll.immediate();
    },
    async clearFrom(fromDay) {
      if (!DAY_PATTERN.test(fromDay)) throw new Error(`clearFrom needs a day YYYY-MM-DD, got ${JSON.stringify(fromDay)}`);
      clearFromDay.immediate(fromDay);
    },
    async loadCheckpoint() {
      const row = readCheckpoint.get(CHECKPOINT_ID);
      return row ? (JSON.parse(row.body) as unknown) : undefined;
    },
    async saveCheckpoint(value) {
      writeCheckpoint.run(CHECKPOINT_ID, JSON.stringify(value));
    },
  };
}
