import { watch } from 'chokidar';
import type { Stats } from 'node:fs';
import type { Logger } from '../logger';
import { editorLines } from './editor-messages';
import { KnowledgeBaseError } from './load-knowledge-base';

const DEBOUNCE_MS = 300;
/**
 * How long a file's size must stay unchanged before its change counts: an editor or `cp` writing
 * a large file in several chunks would otherwise be read half written.
 */
const STABLE_MS = 150;
const YAML_FILE = /\.ya?ml$/;

/** A running watcher: `ready` resolves once the folder is watched; `close` releases every handle. */
export interface KnowledgeBaseWatcher {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Reloads the knowledge base when one of its YAML files changes (development). Uses chokidar
 * rather than `fs.watch(dir, { recursive: true })`, which on Linux under Node 20 watches each
 * file's inode and so goes deaf to a file that a save replaced by renaming a temporary file over
 * it (`sed -i`, rsync, the "safe write" of most editors). Temporary files are ignored (they do not
 * end in .yaml); editors save several files at once, so changes are debounced into one reload.
 * A reload that fails validation is logged with every problem, in the editors' Italian, and the
 * previous knowledge base keeps serving: conversations go on.
 *
 * @example
 * const watcher = watchKnowledgeBase('knowledge-base', { logger, reload: async () => swap() });
 * await watcher.close();
 */
export function watchKnowledgeBase(
  dir: string,
  options: { logger: Logger; reload: () => Promise<void>; debounceMs?: number },
): KnowledgeBaseWatcher {
  const { logger, reload, debounceMs = DEBOUNCE_MS } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(async () => {
        if (closed) return;
        try {
          await reload();
          logger.info({ dir }, 'knowledge base reloaded');
        } catch (error) {
          // `problems` is what the editors read in the log: file, line, field and what to do, in Italian.
          const problems = error instanceof KnowledgeBaseError ? editorLines(error.problems) : undefined;
          logger.error({ err: error, dir, problems }, 'knowledge base reload failed; the previous version keeps serving');
        }
      });
    }, debounceMs);
  };
  const watcher = watch(dir, {
    ignoreInitial: true,
    // The loader reads the folder and its direct subfolders (topics/); deeper trees (a DATA_DIR
    // placed inside the folder, say) are not the editors' and are not watched.
    depth: 1,
    ignored: (file: string, stats?: Stats) => Boolean(stats?.isFile()) && !YAML_FILE.test(file),
    awaitWriteFinish: { stabilityThreshold: STABLE_MS, pollInterval: 50 },
    atomic: true,
  });
  const onChange = (file: string) => {
    if (YAML_FILE.test(file)) schedule();
  };
  watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
  watcher.on('error', (error: unknown) => logger.warn({ err: error, dir }, 'knowledge base watcher failed; restart to load changes'));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
