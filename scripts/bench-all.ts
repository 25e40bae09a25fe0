// npm run --silent bench:all -- [--json] [--only directline,analytics] [--compare previous.jsonl]
// Runs the benchmark suite one script after the other (each in its own process, so that one's
// memory and JIT do not colour the next) and collects their figures: every script prints one JSON
// object per figure, with a `figure` name. `--json` prints each figure as one JSON line, tagged with
// the script, the date, the commit and the Node version, so that a run kept in a file can be
// compared with the next: `--compare FILE` prints, for each figure of FILE measured again, every
// number before and after. Without `--json`, a readable line per figure. Progress goes to stderr.
// MONGODB_URI set: the scripts that can also measure MongoDB do.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** The suite, in the order it runs: the script, its arguments, and what it measures. */
const SUITE: readonly { name: string; npmScript: string; args?: readonly string[]; env?: Record<string, string>; what: string }[] = [
  { name: 'recognize', npmScript: 'bench', what: 'recognition latency, 40 and 1,000 topics, fuse.js baseline' },
  { name: 'storage', npmScript: 'bench:storage', what: 'events and state writes per second' },
  { name: 'directline', npmScript: 'bench:directline', env: { BENCH_CPU: '1' }, what: 'Direct Line turns, Dialogo beside the echo bot' },
  { name: 'turn', npmScript: 'bench:turn', args: ['--json'], what: "a Dialogo turn's own CPU, without the transport" },
  { name: 'messenger', npmScript: 'bench:messenger', env: { BENCH_CPU: '1' }, what: 'Messenger webhook events and bursts' },
  { name: 'reload', npmScript: 'bench:reload', what: 'turns during a knowledge-base reload at 1,000 topics' },
  { name: 'memory', npmScript: 'bench:memory', what: 'RSS at 10,000 Direct Line conversations (the soak is apart: bench:memory -- --soak)' },
  { name: 'analytics', npmScript: 'bench:analytics', what: 'analytics summary and dashboard views over a year' },
];

type Figure = Record<string, unknown> & { figure: string };

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Runs one script; resolves with its figures (lines that are not a JSON object with `figure` are refused loudly). */
function runScript(entry: (typeof SUITE)[number]): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', entry.npmScript, ...(entry.args ? ['--', ...entry.args] : [])], {
      env: { ...process.env, ...entry.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${entry.npmScript} exited with ${code}`));
      const figures: Figure[] = [];
      for (const line of out.split('\n').filter((l) => l.trim().length > 0)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return reject(new Error(`${entry.npmScript} printed a line that is not JSON: ${line.slice(0, 120)}`));
        }
        if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { figure?: unknown }).figure !== 'string') {
          return reject(new Error(`${entry.npmScript} printed a figure without a "figure" name: ${line.slice(0, 120)}`));
        }
        figures.push(parsed as Figure);
      }
      resolve(figures);
    });
  });
}

function readPrevious(file: string): Map<string, Figure> {
  const previous = new Map<string, Figure>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const parsed = JSON.parse(line) as Figure;
    if (typeof parsed.figure === 'string') previous.set(parsed.figure, parsed);
  }
  return previous;
}

function compare(before: Figure, after: Figure): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (typeof value !== 'number' || typeof old !== 'number') continue;
    const change = old === 0 ? '' : ` (${value >= old ? '+' : ''}${(((value - old) / old) * 100).toFixed(1)}%)`;
    parts.push(`${key} ${old} → ${value}${change}`);
  }
  return `${after.figure}: ${parts.join(', ')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, only: { type: 'string' }, compare: { type: 'string' } } });
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : undefined;
  const unknown = only ? [...only].filter((name) => !SUITE.some((s) => s.name === name)) : [];
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${SUITE.map((s) => s.name).join(', ')}`);
  const previous = values.compare ? readPrevious(values.compare) : undefined;
  const tags = { at: new Date().toISOString(), commit: commit(), node: process.version };
  for (const entry of SUITE) {
    if (only && !only.has(entry.name)) continue;
    process.stderr.write(`bench:all: ${entry.name} (${entry.what})...\n`);
    const started = Date.now();
    for (const figure of await runScript(entry)) {
      const tagged = { bench: entry.name, ...figure, ...tags };
      if (values.json) process.stdout.write(`${JSON.stringify(tagged)}\n`);
      const before = previous?.get(figure.figure);
      if (before) process.stderr.write(`  ${compare(before, tagged)}\n`);
      else if (!values.json) process.stdout.write(`${JSON.stringify(figure)}\n`);
    }
    process.stderr.write(`bench:all: ${entry.name} done in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:all: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
