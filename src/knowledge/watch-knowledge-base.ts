import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../logger';

const DEBOUNCE_MS = 300;

/**
 * Reloads the knowledge base when one of its files changes (development). Editors save
 * several files at once, so changes are debounced; a reload that fails validation is logged
 * with every problem and the previous knowledge base keeps serving: conversations go on.
 *
 * @example
 * const watcher = watchKnowledgeBase('knowledge-base', { logger, reload: async () => swap() });
 * watcher.close();
 */
export function watchKnowledgeBase(
  dir: string,
  options: { logger: Logger; reload: () => Promise<void>; debounceMs?: number },
): { close(): void } {
  const { logger, reload, debounceMs = DEBOUNCE_MS } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(async () => {
        if (closed) return;
        try {
          await reload();
          logger.info({ dir }, 'knowledge base reloaded');
        } catch (error) {
          logger.error({ err: error, dir }, 'knowledge base reload failed; the previous version keeps serving');
        }
      });
    }, debounceMs);
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (file && /\.ya?ml$/.test(String(file))) schedule();
    });
  } catch (error) {
    logger.warn({ err: error, dir }, 'cannot watch the knowledge base; restart to load changes');
    return { close() {} };
  }
  watcher.on('error', (error) => logger.warn({ err: error }, 'knowledge base watcher failed'));
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
