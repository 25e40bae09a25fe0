import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { turnReplies } from '../fixtures/bot-turn';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const say = async (port: number, text: string, user = 'citizen-7') => (await turnReplies(port, text, user))[0]!;

describe('with the embedded SQLite store', () => {
  const dataDir = tempDataDir();
  const config = () => loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir });
  let dialogo: Dialogo | undefined;
  afterEach(async () => {
    await dialogo?.stop();
    dialogo = undefined;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('every turn is stored as one event, redacted and with a pseudonymous conversation id', async () => {
    dialogo = await startDialogo(config(), createLogger('silent'));
    const reply = await say(dialogo.port, 'quanto costa la carta d’identità? scrivetemi a mario.rossi@example.it');
    await dialogo.stop();
    dialogo = undefined;
    const backend = openSqliteBackend(dataDir);
    try {
      const [stored] = await backend.events.query({});
      expect(stored).toMatchObject({ channel: 'test', outcome: reply.channelData.dialogo.outcome, topicId: 'carta-identita', language: 'it', activityType: 'message' });
      expect(stored!.text).toBe('quanto costa la carta d’identità? scrivetemi a [EMAIL]');
      // The facet that answered is recorded with the topic, for the editors' view of what is asked.
      expect(stored).toMatchObject({ answerTopicId: 'carta-identita', answerFacetId: 'costo' });
      expect(stored!.conversationId).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(stored)).not.toContain('citizen-7');
    } finally {
      await backend.close();
    }
  });

  test('conversation state survives a restart: the second miss after the restart offers a person', async () => {
    dialogo = await startDialogo(config(), createLogger('silent'));
    expect((await say(dialogo.port, 'zxqw blorf', 'citizen-8')).channelData.dialogo.outcome).toBe('fallback');
    await dialogo.stop();
    dialogo = await startDialogo(config(), createLogger('silent'));
    expect((await say(dialogo.port, 'blorf zxqw', 'citizen-8')).channelData.dialogo.outcome).toBe('handoff');
  });
});
