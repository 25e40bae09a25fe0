import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { editorLines } from './editor-messages';
import { LAST_GOOD_FILE, materializeLastGood, readFolderTexts, readLastGood, writeLastGood } from './last-good-snapshot';
import { KnowledgeBaseError } from './load-knowledge-base';

/** Where the knowledge base being served came from, for the readiness details. */
export interface KnowledgeBaseStatus {
  /** `folder`: the editors' files; `last-good`: the snapshot, because the folder does not validate. */
  readonly source: 'folder' | 'last-good';
  /** Problems found in the folder by the last load that failed (0 after a good one). */
  readonly errors: number;
  /** When the snapshot being served was taken (only with `last-good`). */
  readonly savedAt?: string;
}

/** What a {@link KnowledgeSource} needs. */
export interface KnowledgeSourceOptions<T> {
  /** The editors' folder. */
  readonly dir: string;
  /** DATA_DIR: the last good snapshot is `kb-last-good.json` there. */
  readonly dataDir: string;
  /** In production a folder that does not validate at start-up falls back on the snapshot. */
  readonly production: boolean;
  readonly logger: Logger;
  /** Loads and builds everything a turn needs from a folder; throws KnowledgeBaseError on bad files. */
  readonly build: (dir: string) => Promise<T>;
  /**
   * The same, for a reload while turns are being served (Dialogo's runs in a worker thread and
   * keeps the event loop free); defaults to `build`.
   */
  readonly rebuild?: (dir: string) => Promise<T>;
  readonly now?: () => Date;
}

/**
 * The knowledge base's way in at start-up and on reload, with the last-good rule: every good
 * load of the folder is saved as a snapshot; in production, a folder that does not validate at
 * start-up is reported loudly and the snapshot is served instead, so that one bad save does not
 * take the service down. In development, and in production without a snapshot, start-up fails
 * with the editors' messages, as before. A reload that fails leaves the previous version serving
 * (the watcher logs it).
 *
 * @example
 * const source = new KnowledgeSource({ dir, dataDir, production: true, logger, build: buildRuntime });
 * const runtime = await source.start();
 * source.status; // { source: 'folder', errors: 0 }
 */
export class KnowledgeSource<T> {
  private current: KnowledgeBaseStatus = { source: 'folder', errors: 0 };
  /** The reload running, and the one that waits for it (shared by every reload asked meanwhile). */
  private reloading: Promise<T> | undefined;
  private queued: Promise<T> | undefined;
  private readonly snapshotFile: string;

  constructor(private readonly options: KnowledgeSourceOptions<T>) {
    this.snapshotFile = path.join(options.dataDir, LAST_GOOD_FILE);
  }

  get status(): KnowledgeBaseStatus {
    return this.current;
  }

  /** Loads the folder; in production falls back on the last good snapshot when the folder does not validate. */
  async start(): Promise<T> {
    try {
      return await this.loadFolder();
    } catch (error) {
      if (!(error instanceof KnowledgeBaseError) || !this.options.production) throw error;
      return this.startOnLastGood(error);
    }
  }

  /**
   * Loads the folder again; throws, leaving the status's source as it was, when it does not
   * validate. One build at a time: a reload asked while one runs waits for it, and every reload
   * asked meanwhile shares one build of the folder as it is when that build starts (the last
   * save wins, and a burst of saves costs two builds, not one each).
   */
  reload(): Promise<T> {
    const running = this.reloading;
    if (!running) return this.startReload();
    this.queued ??= running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<T> {
    this.queued = undefined;
    return this.startReload();
  }

  private startReload(): Promise<T> {
    const reload = this.loadFolder(this.options.rebuild ?? this.options.build);
    this.reloading = reload;
    const settled = () => {
      if (this.reloading === reload) this.reloading = undefined;
    };
    reload.then(settled, settled);
    return reload;
  }

  private async loadFolder(build: (dir: string) => Promise<T> = this.options.build): Promise<T> {
    const { dir, logger, now = () => new Date() } = this.options;
    const { snapshotFile } = this;
    let before: Map<string, string> | undefined;
    try {
      before = await readFolderTexts(dir);
    } catch {
      // An unreadable folder is reported by the loader itself, with the editors' message.
    }
    let built: T;
    try {
      built = await build(dir);
    } catch (error) {
      if (error instanceof KnowledgeBaseError) this.current = { ...this.current, errors: error.problems.length };
      throw error;
    }
    this.current = { source: 'folder', errors: 0 };
    // Saved only when the files did not change while they were loaded: the snapshot must be
    // exactly what validated, never a save that landed between the load and the copy.
    try {
      const after = await readFolderTexts(dir);
      if (before && sameTexts(before, after) && after.size > 0) await writeLastGood(snapshotFile, after, now());
    } catch (error) {
      logger.warn({ err: error, file: snapshotFile }, 'last good knowledge base not saved; the previous snapshot stays');
    }
    return built;
  }

  private async startOnLastGood(folderError: KnowledgeBaseError): Promise<T> {
    const { build, logger } = this.options;
    const { snapshotFile } = this;
    const problems = editorLines(folderError.problems);
    const snapshot = await readLastGood(snapshotFile).catch((error: unknown) => {
      logger.error({ err: error, file: snapshotFile }, 'last good knowledge base unreadable');
      return undefined;
    });
    if (!snapshot) {
      logger.fatal({ problems, snapshot: snapshotFile }, 'knowledge base invalid and no last good snapshot to serve: Dialogo cannot start');
      throw folderError;
    }
    const dir = await materializeLastGood(snapshot, path.dirname(snapshotFile));
    try {
      const built = await build(dir);
      this.current = { source: 'last-good', errors: folderError.problems.length, savedAt: snapshot.savedAt };
      logger.error(
        { problems, errors: folderError.problems.length, snapshot: snapshotFile, savedAt: snapshot.savedAt },
        'KNOWLEDGE BASE INVALID: serving the last good version; fix the files (npm run kb:lint) and restart or let the watcher reload',
      );
      return built;
    } catch (error) {
      logger.fatal({ err: error, problems, snapshot: snapshotFile }, 'knowledge base invalid and the last good snapshot does not load either: Dialogo cannot start');
      throw folderError;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}

function sameTexts(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, text] of a) if (b.get(file) !== text) return false;
  return true;
}
