import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import type { InteractionEvent } from '../../src/storage/interaction-event';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { turnReplies as say } from '../fixtures/bot-turn';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

describe('why a person was offered, and what a miss leaned to, are recorded on the turn', () => {
  const dataDir = tempDataDir();
  let dialogo: Dialogo | undefined;
  let stored: InteractionEvent[] = [];

  beforeAll(async () => {
    // Always open: the offer goes on to the confirmation whatever the hour.
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always' }), createLogger('silent'));
    const port = dialogo.port;
    await say(port, 'voglio parlare con un operatore', 'asks');
    await say(port, 'zxqw blorf', 'misses');
    await say(port, 'blorf zxqw', 'misses');
    await say(port, 'Come si apre un negozio a Milano?', 'rates');
    await say(port, '👎', 'rates');
    await say(port, 'rimborso', 'leans');
    await dialogo.stop();
    dialogo = undefined;
    const backend = openSqliteBackend(dataDir);
    try {
      stored = await backend.events.query({});
    } finally {
      await backend.close();
    }
  }, 90_000); // start-up on a loaded CI machine can take longer than the default hook time
  afterAll(async () => {
    await dialogo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const turns = (text: string) => stored.filter((e) => e.text === text);

  test('the citizen asked', () => {
    expect(turns('voglio parlare con un operatore')).toEqual([expect.objectContaining({ outcome: 'handoff', escalation: 'asked' })]);
  });

  test('two misses in a row: only the second turn, which offers, carries the reason', () => {
    expect(turns('zxqw blorf')[0]?.escalation).toBeUndefined();
    expect(turns('blorf zxqw')).toEqual([expect.objectContaining({ outcome: 'handoff', escalation: 'misses' })]);
  });

  test('a thumbs down on a topic marked escalate', () => {
    expect(turns('Come si apre un negozio a Milano?')[0]).toMatchObject({ outcome: 'answered', answerTopicId: 'attivita-commerciali' });
    expect(turns('Come si apre un negozio a Milano?')[0]?.escalation).toBeUndefined();
    expect(turns('👎')).toEqual([expect.objectContaining({ feedback: 'down', escalation: 'rated-down' })]);
  });

  test('a fallback keeps the topic the recognizer leaned to, not as its topic', () => {
    const [miss] = turns('rimborso');
    expect(miss).toMatchObject({ outcome: 'fallback', topicId: null, answerTopicId: null });
    expect(miss?.leaningTopicId).toMatch(/^[a-z0-9-]+$/);
    expect(miss?.escalation).toBeUndefined();
  });
});
