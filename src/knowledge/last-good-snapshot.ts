import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The snapshot's file name under DATA_DIR. */
export const LAST_GOOD_FILE = 'kb-last-good.json';

const YAML_FILE = /\.ya?ml$/;
/** A path inside the knowledge-base folder: one or two plain segments, ending in .yaml. */
const relativeYamlPath = z
  .string()
  .regex(/^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*\.ya?ml$/, 'must be a .yaml file of the folder or of one of its subfolders');

const snapshotSchema = z
  .object({
    format: z.literal(1),
    savedAt: z.string(),
    files: z.array(z.object({ path: relativeYamlPath, text: z.string() }).strict()).min(1),
  })
  .strict();

/** What the last good knowledge base was made of: the text of each of its YAML files. */
export type LastGoodSnapshot = z.infer<typeof snapshotSchema>;

/** The folder's YAML files (the folder and its direct subfolders, as the loader and the watcher see it), path to text. */
export async function readFolderTexts(dir: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const visit = async (relative: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory() && depth === 0) await visit(child, 1);
      else if (entry.isFile() && YAML_FILE.test(entry.name)) texts.set(child, await fs.readFile(path.join(dir, child), 'utf8'));
    }
  };
  await visit('', 0);
  return texts;
}

/**
 * Writes the snapshot atomically (a temporary file renamed over the old one), so that a crash
 * while writing never leaves a half snapshot where the last good one was.
 */
export async function writeLastGood(file: string, texts: ReadonlyMap<string, string>, savedAt: Date): Promise<void> {
  const snapshot: LastGoodSnapshot = { format: 1, savedAt: savedAt.toISOString(), files: [...texts].map(([p, text]) => ({ path: p, text })) };
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(snapshot));
  await fs.rename(temporary, file);
}

/**
 * Reads and checks the snapshot; undefined when there is none. A snapshot that is there but
 * unreadable or malformed throws: it cannot stand in for the knowledge base.
 */
export async function readLastGood(file: string): Promise<LastGoodSnapshot | undefined> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is not a knowledge-base snapshot: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * Writes the snapshot's files into a fresh folder under `parent`, so that the ordinary loaders
 * read and validate them exactly as they read the editors' folder. The caller removes it.
 */
export async function materializeLastGood(snapshot: LastGoodSnapshot, parent: string): Promise<string> {
  await fs.mkdir(parent, { recursive: true });
  const dir = await fs.mkdtemp(path.join(parent, 'kb-last-good-'));
  for (const { path: relative, text } of snapshot.files) {
    const target = path.join(dir, relative);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, text);
  }
  return dir;
}
