// npm run --silent bench:analytics [-- --events 1000000]: the summary API's latency over one year of
// rollups built from a million interaction events, on SQLite and (with MONGODB_URI) on MongoDB, for
// docs/benchmarks.md. Synthetic events (conversations of 1-6 turns over 365 days, 40 topics, two
// channels and languages, ratings, fallbacks with gap texts, handoff steps with waits and handling
// times) go through the real AnalyticsAggregator into the store's rollups; the raw events are not
// written, since the summary never reads them. Then Dialogo starts on that store and a supervisor
// opens the dashboard (every default view's request at once), then asks each default view, then
// GET /api/analytics/summary for the whole year and for one month: a first call timed apart, then
// 30 more each. One JSON line per figure on stdout (`figure`, the store and the numbers).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { AnalyticsAggregator } from '../src/analytics/aggregator';
import { loadConfig } from '../src/config';
import { startDialogo } from '../src/index';
import { createLogger } from '../src/logger';
import { percentile, round } from '../src/nlu/evaluation';
import type { InteractionEvent } from '../src/storage/interaction-event';
import { openStorage } from '../src/storage/open-storage';
import { seededRandom } from '../src/seeded-random';

const DAY_MS = 24 * 60 * 60 * 1000;
const TOPICS = Array.from({ length: 40 }, (_, i) => `topic-${String(i).padStart(2, '0')}`);
const GAPS = ['orari piscina comunale', 'cimitero orari domenica', 'campo calcio prenotazione', 'bici ritrovata dove portarla', 'wifi gratuito parchi'];
const CALLS = 30;

function* events(total: number, from: number, random: () => number): Generator<InteractionEvent> {
  let emitted = 0;
  let conversation = 0;
  while (emitted < total) {
    conversation += 1;
    const start = from + Math.floor(random() * 365 * DAY_MS);
    const base = { conversationId: `c${conversation}`, channel: random() < 0.75 ? 'directline' : 'facebook', language: (random() < 0.9 ? 'it' : 'en') as 'it' | 'en', latencyMs: 2 };
    const topic = TOPICS[Math.floor(random() * TOPICS.length)]!;
    const turns = 1 + Math.floor(random() * 6);
    let ts = start;
    const event = (extra: Partial<InteractionEvent>): InteractionEvent => ({
      eventId: randomUUID(), ts: new Date(ts).toISOString(), activityType: 'message', text: null, outcome: 'answered', topicId: topic, confidence: 0.9, answerTopicId: topic, feedback: null, handoff: null, ...base, ...extra,
    });
    for (let t = 0; t < turns && emitted < total; t += 1) {
      ts += 20_000 + Math.floor(random() * 60_000);
      const roll = random();
      if (roll < 0.12) yield event({ outcome: 'fallback', topicId: null, answerTopicId: null, text: GAPS[Math.floor(random() * GAPS.length)]! });
      else if (roll < 0.2) yield event({ outcome: 'smalltalk', answerTopicId: null, feedback: random() < 0.8 ? 'up' : 'down', text: '👍' });
      else if (roll < 0.23) {
        yield event({ activityType: 'handoff', outcome: 'handoff', answerTopicId: null, handoff: { state: 'queued', at: new Date(ts).toISOString(), sessionId: `s${conversation}` } });
        ts += 60_000 + Math.floor(random() * 600_000);
        emitted += 1;
        yield event({ activityType: 'handoff', outcome: 'handoff', answerTopicId: null, handoff: { state: 'connected', at: new Date(ts).toISOString(), sessionId: `s${conversation}`, waitSec: 120 } });
        ts += 120_000 + Math.floor(random() * 900_000);
        emitted += 1;
        yield event({ activityType: 'handoff', outcome: 'handoff', answerTopicId: null, handoff: { state: 'closed', at: new Date(ts).toISOString(), sessionId: `s${conversation}`, handleSec: 300 } });
      } else yield event({ text: 'domanda' });
      emitted += 1;
    }
  }
}

async function bench(kind: 'sqlite' | 'mongodb', total: number): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-analytics-'));
  const env = { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', KB_WATCH: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'silent', RETENTION_DAYS: '3650', ...(kind === 'mongodb' ? { MONGODB_URI: process.env.MONGODB_URI, MONGODB_DB: `bench_analytics_${Date.now()}` } : {}) };
  const config = loadConfig(env);
  const backend = await openStorage(config);
  const random = seededRandom(42);
  const to = Date.UTC(2026, 10, 28);
  const from = to - 365 * DAY_MS;
  const built = performance.now();
  const aggregator = new AnalyticsAggregator(backend.rollups, { now: () => new Date(to + DAY_MS) });
  await aggregator.start();
  // Events sorted by time, as they would arrive: generate, then sort (a million small objects fit).
  const all = [...events(total, from, random)].sort((a, b) => a.ts.localeCompare(b.ts));
  for (const [i, event] of all.entries()) {
    aggregator.observe(event);
    if ((i + 1) % 50_000 === 0) {
      aggregator.sweep(new Date(Date.parse(event.ts) - 60_000));
      await aggregator.flush();
    }
  }
  aggregator.sweep(new Date(to + DAY_MS));
  await aggregator.stop();
  const buildSec = (performance.now() - built) / 1000;
  const rows = (await backend.rollups.range('2000-01-01', '2100-01-01')).length;
  await backend.close();

  const dialogo = await startDialogo(config, createLogger('silent'));
  try {
    await dialogo.operators.add('bench-supervisor', 'supervisor', 'bench-password-long', { displayName: 'Supervisore' });
    const base = `http://127.0.0.1:${dialogo.port}`;
    const { token } = (await (await fetch(`${base}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-supervisor', password: 'bench-password-long' }) })).json()) as { token: string };
    const call = async (pathAndQuery: string): Promise<number> => {
      const started = performance.now();
      const response = await fetch(`${base}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
      await response.text();
      if (response.status !== 200) throw new Error(`${pathAndQuery} answered ${response.status}`);
      return performance.now() - started;
    };
    // The first call is timed apart (it may fill a cache or compute the forecast); then CALLS more.
    const time = async (pathAndQuery: string) => {
      const firstMs = round(await call(pathAndQuery));
      const times: number[] = [];
      for (let i = 0; i < CALLS; i += 1) times.push(await call(pathAndQuery));
      times.sort((a, b) => a - b);
      return { firstMs, p50Ms: round(percentile(times, 0.5)), p99Ms: round(percentile(times, 0.99)) };
    };
    const print = (figure: string, numbers: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ figure, store: kind, events: all.length, rollupRows: rows, buildSec: round(buildSec), ...numbers })}\n`);
    const views = dashboardViews(new Date());
    // As a supervisor opens /dashboard: every default view's request at once, timed to the last answer.
    process.stderr.write(`${kind}: opening the dashboard (${views.length} requests)\n`);
    const openStarted = performance.now();
    const opened = await Promise.all(views.map(async (v) => [v.name, round(await call(v.path))] as const));
    print('dashboard-open-first', { ms: round(performance.now() - openStarted), requests: views.length, byView: Object.fromEntries(opened) });
    for (const view of views) {
      process.stderr.write(`${kind}: ${view.path}\n`);
      print(`dashboard-${view.name}`, { path: view.path, ...(await time(view.path)) });
    }
    // The same opening once every view has answered before (what a supervisor sees after the first).
    const reopenStarted = performance.now();
    const reopened = await Promise.all(views.map(async (v) => [v.name, round(await call(v.path))] as const));
    print('dashboard-open', { ms: round(performance.now() - reopenStarted), requests: views.length, byView: Object.fromEntries(reopened) });
    print('analytics-summary-year', await time(`/api/analytics/summary?from=${new Date(from).toISOString().slice(0, 10)}&to=${new Date(to).toISOString().slice(0, 10)}`));
    print('analytics-summary-month', await time('/api/analytics/summary?from=2026-10-01&to=2026-10-31'));
  } finally {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'mongodb' && process.env.MONGODB_URI) {
      const client = new MongoClient(process.env.MONGODB_URI);
      await client.db(env.MONGODB_DB).dropDatabase().finally(() => client.close());
    }
  }
}

/**
 * The requests src/web/dashboard*.js make when a supervisor opens /dashboard and chooses nothing:
 * the session check, the summary and the channel figures of the "12m" preset (the twelve full
 * months before this one, by the page's local date), the live view, the forecast and staffing of
 * the outlook panel and the communications calendar. The monthly table is drawn from the summary.
 */
function dashboardViews(now: Date): { name: string; path: string }[] {
  const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const period = `from=${iso(new Date(now.getFullYear(), now.getMonth() - 12, 1))}&to=${iso(new Date(now.getFullYear(), now.getMonth(), 0))}`;
  return [
    { name: 'me', path: '/api/operator/me' },
    { name: 'summary-12m', path: `/api/analytics/summary?${period}` },
    { name: 'channels-12m', path: `/api/analytics/channels?${period}` },
    { name: 'live', path: '/api/analytics/live' },
    { name: 'forecast', path: '/api/analytics/forecast' },
    { name: 'staffing', path: '/api/analytics/staffing' },
    { name: 'communications', path: '/api/analytics/communications' },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' } } });
  const total = Number(values.events);
  if (!Number.isInteger(total) || total < 1000) throw new Error('--events must be a whole number of at least 1000');
  await bench('sqlite', total);
  if (process.env.MONGODB_URI) await bench('mongodb', total);
  else process.stderr.write('MONGODB_URI unset: MongoDB not measured (npm run mongo:test-server prints a port)\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-analytics: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
