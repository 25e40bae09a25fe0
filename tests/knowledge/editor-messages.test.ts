import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KnowledgeBaseError, loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { loadOutOfScope } from '../../src/nlu/out-of-scope';

const fixtures = path.resolve(__dirname, '../fixtures');
const root = path.resolve(__dirname, '../..');

async function italianLines(load: () => Promise<unknown>): Promise<string[]> {
  try {
    await load();
  } catch (error) {
    if (error instanceof KnowledgeBaseError) return error.message.split('\n').slice(1).map((line) => line.trim());
    throw error;
  }
  throw new Error('expected the knowledge base to be refused');
}

describe('messages for the editors', () => {
  let dir: string;
  let topic: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-kb-messages-'));
    cpSync(path.join(fixtures, 'kb-broken'), dir, { recursive: true });
    rmSync(path.join(dir, 'topics', 'imu-no-english.yaml'));
    topic = path.join(dir, 'topics', 'imu.yaml');
    writeFileSync(topic, readFileSync(topic, 'utf8').replace('id: imu-wrong', 'id: imu'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Applies the edits to the topic file and returns the 1-based line of `marker` in the result. */
  function edit(edits: [string | RegExp, string][], marker: string | RegExp): number {
    let text = readFileSync(topic, 'utf8');
    for (const [from, to] of edits) {
      expect(text).toMatch(from);
      text = text.replace(from, to);
    }
    writeFileSync(topic, text);
    return text.split('\n').findIndex((line) => (typeof marker === 'string' ? line.includes(marker) : marker.test(line))) + 1;
  }

  test.each<[string, [string | RegExp, string][], string | RegExp, (line: number) => string]>([
    ['a link without https', [[/^link: https:\/\/www\.comune\.milano\.it.*$/m, 'link: www.comune.milano.it']], /^link:/,
      (line) => `topics/imu.yaml, riga ${line}, campo link: «www.comune.milano.it» non è un indirizzo web valido: scrivilo intero, a partire da https://`],
    ['a channel that does not exist', [['channel: online', 'channel: sito']], 'channel:',
      (line) => `topics/imu.yaml, riga ${line}, campo next.channel: «sito» non è un valore ammesso: usa uno tra online, appointment, written-request, contact-centre, counter, external`],
    ['escalate as a word', [['escalate: false', 'escalate: forse']], 'escalate:',
      (line) => `topics/imu.yaml, riga ${line}, campo escalate: il campo escalate deve essere true oppure false`],
    ['an impossible date', [[/^lastReviewed: .*$/m, 'lastReviewed: 2026-13-01']], /^lastReviewed:/,
      (line) => `topics/imu.yaml, riga ${line}, campo lastReviewed: «2026-13-01» non è una data valida: scrivila come AAAA-MM-GG, per esempio 2026-11-29`],
    ['a misspelt field', [['editorNote:', 'editorNotes:']], 'editorNotes:',
      (line) => `topics/imu.yaml, riga ${line}, campo editorNotes: campo sconosciuto «editorNotes»: controlla come è scritto il nome e che sia rientrato sotto la sezione giusta`],
    ['an empty title', [['  it: IMU - imposta municipale sugli immobili', "  it: ''"]], "it: ''",
      (line) => `topics/imu.yaml, riga ${line}, campo title.it: scrivi il titolo in italiano: ora il campo è vuoto`],
    ['too few English samples', [[/(  en:\n(?:    - .*\n){3})(?:    - .*\n)+/, '$1']], /^  en:$/,
      (line) => `topics/imu.yaml, riga ${line}, campo samples.en: servono almeno 4 domande di esempio in inglese: ora ce ne sono 3`],
    ['a home-page mark without its reason', [[/^lastReviewed: /m, "homePageOnly:\n  reason: ''\nlastReviewed: "]], "reason: ''",
      (line) => `topics/imu.yaml, riga ${line}, campo homePageOnly.reason: scrivi il motivo: ora il campo è vuoto`],
    ['an answer too long', [[/  it: >-\n(?:    .*\n)+/, `  it: >-\n    ${'parola '.repeat(110)}\n`]], /^  it: >-$/,
      (line) => `topics/imu.yaml, riga ${line}, campo answer.it: la risposta in italiano può avere al massimo 400 caratteri: ora ne ha 769`],
  ])('%s', async (_name, edits, marker, expected) => {
    const line = edit(edits, marker);
    expect(await italianLines(() => loadKnowledgeBase(dir))).toEqual([expected(line)]);
  });

  test('the out-of-scope file is reported the same way', async () => {
    writeFileSync(path.join(dir, 'out-of-scope.yaml'), 'it:\n  - che tempo fa\nen: []\n');
    expect(await italianLines(() => loadOutOfScope(dir))).toEqual(['out-of-scope.yaml, riga 3, campo en: l\'elenco è vuoto: aggiungi almeno una voce']);
  });

  test('npm run kb:lint prints the Italian lines and fails', async () => {
    const lint = promisify(execFile)(path.join(root, 'node_modules/.bin/ts-node'), ['--swc', 'scripts/kb-lint.ts', '--kb', path.join(fixtures, 'kb-broken')], { cwd: root });
    await expect(lint).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('topics/imu-no-english.yaml, riga 45, campo answer.en: manca la risposta in inglese'),
    });
  }, 60_000);
});
