import { createHash } from 'node:crypto';
import type { KnowledgeBase } from '../knowledge/knowledge-base';
import { buildInWorker, type WorkerBuildOptions } from './build-in-worker';
import { readFolderTexts } from '../knowledge/last-good-snapshot';
import { loadKnowledgeBase } from '../knowledge/load-knowledge-base';
import { FacetPicker } from './facet-picker';
import { LocalRecognizer } from './local-recognizer';
import { modelCacheFromEnv } from './model-cache';
import { loadOutOfScope } from './out-of-scope';

type Loaded = { kb: KnowledgeBase; recognizer: LocalRecognizer };

/** Where a build runs: on this thread (start-up, scripts) or in a worker thread (a reload while serving). */
export interface LoadOptions {
  /** Build in a worker thread, with these options (see build-in-worker.ts); omitted, build here. */
  readonly worker?: WorkerBuildOptions;
}

/** Builds kept, by content: the current knowledge base and the one before it. */
const KEPT_BUILDS = 2;
const builds = new Map<string, Promise<Loaded>>();

/**
 * Loads the knowledge base from `dir` and builds the local recognizer over it: what start-up,
 * a reload, the evaluation scripts and the tests all do.
 *
 * A build costs seconds (the calibrator is fitted by cross-validation) and depends only on the
 * folder's YAML files, so a folder whose files are byte for byte those of a recent build gets
 * that build again: a save that changes nothing, a second server in the same process, a fall
 * back to the last good snapshot. Both are immutable, so sharing them is safe.
 *
 * With `worker`, the folder is read, validated and trained on in a worker thread and the event
 * loop stays free for turns (a reload while serving); without, all of it runs here (start-up,
 * before anything is served, and the scripts).
 *
 * @example
 * const { kb, recognizer } = await loadLocalRecognizer('knowledge-base');
 * const reloaded = await loadLocalRecognizer('knowledge-base', { worker: {} });
 */
export async function loadLocalRecognizer(dir: string, options: LoadOptions = {}): Promise<Loaded> {
  const key = await contentKey(dir);
  const kept = key === undefined ? undefined : builds.get(key);
  if (kept) return kept;
  const building = options.worker ? buildInWorker(dir, options.worker) : (async () => {
    const [kb, outOfScope] = await Promise.all([loadKnowledgeBase(dir), loadOutOfScope(dir)]);
    const recognizer = LocalRecognizer.build(kb, outOfScope, { modelCache: modelCacheFromEnv() });
    // Built now (about 0.35 s at 230 facets) rather than on the first citizen's turn after a load.
    FacetPicker.of(kb);
    return { kb, recognizer };
  })();
  if (key === undefined) return building;
  builds.set(key, building);
  // A failed load is not kept: the editors' fix must be read, not the failure replayed.
  building.catch(() => builds.delete(key));
  while (builds.size > KEPT_BUILDS) builds.delete(builds.keys().next().value as string);
  return building;
}

/** Hash of the folder's YAML files (paths and texts); undefined when the folder cannot be read (the loader reports it). */
async function contentKey(dir: string): Promise<string | undefined> {
  let texts: Map<string, string>;
  try {
    texts = await readFolderTexts(dir);
  } catch {
    return undefined;
  }
  const hash = createHash('sha256');
  for (const [file, text] of [...texts].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${file}\0${text}\0`);
  return hash.digest('hex');
}
