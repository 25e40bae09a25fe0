import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { DAY_PATTERN, compareKeys, mergeBatch, sumGapDays } from '../../analytics/rollup-batch';
import { GAP_EXAMPLES, type RollupStore } from '../ports';

/** One document per rollup key; `_id` is the JSON array of its parts. */
interface RollupDoc {
  _id: string;
  day: string;
  channel: string;
  language: string;
  topicId: string | null;
  counters: Record<string, number>;
}

interface GapDoc {
  _id: string;
  day: string;
  language: string;
  key: string;
  count: number;
  examples: string[];
}

/** A day's revision (`_id` the day), or, under {@link SEQUENCE_ID}, the last revision handed out. */
interface RevisionDoc {
  _id: string;
  revision: number;
}

/** The checkpoint as JSON text: it holds conversation ids and may hold anything, keys MongoDB refuses included. */
interface CheckpointDoc {
  _id: string;
  body: string;
}

const CHECKPOINT_ID = 'aggregator';
/** Sorts after every day (`YYYY-MM-DD`), so that a range of days never meets it. */
const SEQUENCE_ID = '~sequence';
const NAMESPACE_EXISTS = 48;

/**
 * Rollups in the `rollups` collection (one document per key, counters added with `$inc` in an
 * upsert), knowledge gaps in `gaps` (one document per day, language and key; an example is
 * pushed by an update whose filter holds "not there yet and fewer than 5", so concurrent
 * writers keep at most 5 distinct), and the checkpoint in `analytics_checkpoint`. A batch is
 * one ordered bulk write per collection: each document's update is atomic, the batch is not
 * (no transactions on the stores we target); the checkpoint is written last. Each day's revision
 * (`rollup_revisions`) is raised before and after every write of its rows.
 *
 * @example
 * const rollups = await mongoRollupStore(db);
 * await rollups.range('2026-04-01', '2026-04-30');
 */
export async function mongoRollupStore(db: Db): Promise<RollupStore> {
  // Created up front: concurrent first upserts into a missing collection race to create it.
  for (const name of ['rollups', 'gaps', 'analytics_checkpoint', 'rollup_revisions']) {
    await db.createCollection(name).catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code !== NAMESPACE_EXISTS) throw error;
    });
  }
  const rollups: Collection<RollupDoc> = db.collection<RollupDoc>('rollups');
  const gaps: Collection<GapDoc> = db.collection<GapDoc>('gaps');
  const checkpoints: Collection<CheckpointDoc> = db.collection<CheckpointDoc>('analytics_checkpoint');
  const revisions: Collection<RevisionDoc> = db.collection<RevisionDoc>('rollup_revisions');
  await rollups.createIndex({ day: 1 }, { name: 'day' });
  await gaps.createIndex({ day: 1 }, { name: 'day' });

  /**
   * Gives the days a new revision from the one sequence (`$max`, so a slower writer never moves a
   * day back). Without transactions it runs before a write and after it: a reader that read the
   * rows in between sees the second; should the process die in the middle, the first has already
   * told every reader to read the day again.
   */
  async function touch(days: Iterable<string>): Promise<void> {
    const list = [...new Set(days)];
    if (list.length === 0) return;
    const sequence = await revisions.findOneAndUpdate({ _id: SEQUENCE_ID }, { $inc: { revision: 1 } }, { upsert: true, returnDocument: 'after' });
    const revision = sequence?.revision ?? 1;
    await revisions.bulkWrite(list.map((day) => ({ updateOne: { filter: { _id: day }, update: { $max: { revision } }, upsert: true } })), { ordered: false });
  }

  /** The days holding rollups or gaps from `fromDay` on (all with none): what a clear changes. */
  async function storedDays(fromDay?: string): Promise<string[]> {
    const filter = fromDay === undefined ? {} : { day: { $gte: fromDay } };
    const [a, b] = await Promise.all([rollups.distinct('day', filter), gaps.distinct('day', filter)]);
    return [...a, ...b].filter((d): d is string => typeof d === 'string');
  }

  async function saveCheckpoint(value: unknown): Promise<void> {
    await checkpoints.replaceOne({ _id: CHECKPOINT_ID }, { body: JSON.stringify(value) }, { upsert: true });
  }

  return {
    async apply(batch) {
      const merged = mergeBatch(batch);
      const days = [...merged.increments.map((i) => i.key.day), ...merged.gaps.map((g) => g.day)];
      await touch(days);
      const rollupOps: AnyBulkWriteOperation<RollupDoc>[] = merged.increments.map(({ key, id, counters }) => ({
        updateOne: {
          filter: { _id: id },
          update: {
            $inc: Object.fromEntries(Object.entries(counters).map(([name, value]) => [`counters.${name}`, value])),
            $setOnInsert: { day: key.day, channel: key.channel, language: key.language, topicId: key.topicId },
          },
          upsert: true,
        },
      }));
      if (rollupOps.length > 0) await rollups.bulkWrite(rollupOps, { ordered: true });
      const gapOps: AnyBulkWriteOperation<GapDoc>[] = [];
      for (const gap of merged.gaps) {
        gapOps.push({
          updateOne: {
            filter: { _id: gap.id },
            update: { $inc: { count: gap.count }, $setOnInsert: { day: gap.day, language: gap.language, key: gap.key, examples: [] } },
            upsert: true,
          },
        });
        for (const example of gap.examples) {
          gapOps.push({
            updateOne: {
              filter: { _id: gap.id, examples: { $ne: example }, [`examples.${GAP_EXAMPLES - 1}`]: { $exists: false } },
              update: { $push: { examples: example } },
            },
          });
        }
      }
      if (gapOps.length > 0) await gaps.bulkWrite(gapOps, { ordered: true });
      if (batch.checkpoint !== undefined) await saveCheckpoint(batch.checkpoint);
      await touch(days);
    },
    async range(fromDay, toDay) {
      const docs = await rollups.find({ day: { $gte: fromDay, $lte: toDay } }, { projection: { _id: 0 }, batchSize: 10_000 }).toArray();
      return docs
        .map((d) => ({ key: { day: d.day, channel: d.channel, language: d.language, topicId: d.topicId ?? null }, counters: { ...d.counters } }))
        .sort((a, b) => compareKeys(a.key, b.key));
    },
    async revisions(fromDay, toDay) {
      const docs = await revisions.find({ _id: { $gte: fromDay, $lte: toDay } }).toArray();
      return new Map(docs.filter((d) => DAY_PATTERN.test(d._id)).map((d) => [d._id, d.revision]));
    },
    async gaps(fromDay, toDay) {
      const docs = await gaps.find({ day: { $gte: fromDay, $lte: toDay } }).sort({ day: 1, language: 1, key: 1 }).toArray();
      return sumGapDays(docs.map((d) => ({ language: d.language, key: d.key, count: d.count, examples: d.examples })));
    },
    async clear() {
      const days = await storedDays();
      await touch(days);
      await rollups.deleteMany({});
      await gaps.deleteMany({});
      await checkpoints.deleteMany({});
      await touch(days);
    },
    async clearFrom(fromDay) {
      if (!DAY_PATTERN.test(fromDay)) throw new Error(`clearFrom needs a day YYYY-MM-DD, got ${JSON.stringify(fromDay)}`);
      // The checkpoint first: should the rest fail, no aggregator resumes sessions over missing counters.
      await checkpoints.deleteMany({});
      const days = await storedDays(fromDay);
      await touch(days);
      await rollups.deleteMany({ day: { $gte: fromDay } });
      await gaps.deleteMany({ day: { $gte: fromDay } });
      await touch(days);
    },
    async loadCheckpoint() {
      const doc = await checkpoints.findOne({ _id: CHECKPOINT_ID });
      return doc ? (JSON.parse(doc.body) as unknown) : undefined;
    },
    saveCheckpoint,
  };
}
