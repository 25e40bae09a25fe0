import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { communicationsFileSchema, type Communication } from '../knowledge/communication-schema';

/** The calendar's file name in the knowledge-base folder. */
export const CALENDAR_FILE = 'communications.yaml';

/**
 * A calendar file that does not parse or validate. Its message names the file (not its folder)
 * and every problem, so that it can be shown to a supervisor as the reason there is no forecast.
 */
export class CalendarError extends Error {
  override readonly name = 'CalendarError';
}

/** The calendar and a version of its file (size and modification time; null when there is none). */
export interface LoadedCalendar {
  readonly communications: readonly Communication[];
  readonly version: string | null;
}

/**
 * Reads `communications.yaml` of a knowledge-base folder. A missing file is an empty calendar
 * (the forecast then learns no communication effects); a file that does not parse or validate
 * throws a {@link CalendarError} naming every problem, so a bad edit never feeds the forecast.
 *
 * @example
 * const { communications } = await loadCalendar(config.knowledgeBaseDir);
 */
export async function loadCalendar(knowledgeBaseDir: string): Promise<LoadedCalendar> {
  const file = path.join(knowledgeBaseDir, CALENDAR_FILE);
  const version = await calendarVersion(knowledgeBaseDir);
  if (version === null) return { communications: [], version };
  const text = await readFile(file, 'utf8');
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new CalendarError(`${CALENDAR_FILE}: YAML: ${doc.errors.map((e) => e.message.split('\n')[0]).join('; ')}`);
  const parsed = communicationsFileSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new CalendarError(`${CALENDAR_FILE}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`);
  return { communications: parsed.data.communications, version };
}

/** Size and modification time of the calendar file, or null when there is none: cheap to poll. */
export async function calendarVersion(knowledgeBaseDir: string): Promise<string | null> {
  try {
    const info = await stat(path.join(knowledgeBaseDir, CALENDAR_FILE));
    return `${info.size}:${info.mtimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
