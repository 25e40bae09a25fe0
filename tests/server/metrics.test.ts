import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const TOKEN = 'metrics-token-for-the-tests';

/** The value of one sample line of the exposition text (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (wanted.every((w) => (match[2] ?? '').includes(w))) return Number(match[3]);
  }
  return 0;
}

describe('GET /metrics (Prometheus)', () => {
  let dialogo: Dialogo;
  const scrape = async (token?: string) => fetch(`http://127.0.0.1:${dialogo.port}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir(), OFFICE_HOURS: 'always', METRICS_TOKEN: TOKEN }),
      createLogger('silent'),
    );
    // A console open, as on a shift: with nobody available the citizen is offered a written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 3 }, true);
  });
  afterAll(() => dialogo.stop());

  test('without the token: 403', async () => {
    expect((await scrape()).status).toBe(403);
    expect((await scrape('wrong-token-wrong-token')).status).toBe(403);
  });

  test('turns by outcome, recognizer latency, queue length and operators online', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    await citizen.say('quanto costa la carta d’identità?');
    await citizen.say('blorf quizzle');
    await citizen.say('voglio parlare con un operatore');
    await citizen.say('sì');
    await citizen.say('domanda sulla TARI');
    await citizen.say('acconsento');
    // A click on an answer's link is counted apart, never as a turn.
    expect((await fetch(`http://127.0.0.1:${dialogo.port}/go/carta-identita/overview?to=0&ch=webchat&lang=it`, { redirect: 'manual' })).status).toBe(302);
    const response = await scrape(TOKEN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(sample(text, 'dialogo_turns_total', { channel: 'directline', outcome: 'answered' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dialogo_turns_total', { channel: 'directline', outcome: 'fallback' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dialogo_recognizer_latency_seconds_count', { recognizer: 'local' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'dialogo_handoff_queue_length')).toBe(1);
    expect(sample(text, 'dialogo_handoff_steps_total', { channel: 'directline', state: 'queued' })).toBe(1);
    expect(sample(text, 'dialogo_operators_online')).toBe(1);
    expect(sample(text, 'dialogo_link_clicks_total', { channel: 'webchat' })).toBe(1);
    expect(sample(text, 'dialogo_turns_total', { channel: 'webchat' })).toBe(0);
    expect(text).toContain('dialogo_process_cpu_seconds_total');
  });
});
