import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { loadConfig, type Config } from '../../src/config';
import { startDialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { exportCitizenData } from '../../src/storage/data-export';
import { openStorage } from '../../src/storage/open-storage';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';
import { rawMongo, rawSqlite } from '../storage/adapters';

const silent = createLogger('silent');
// Tokens survive the restart only when signed with a configured secret.
const DL_SECRET = 'direct-line-secret-for-tests';
const CF = 'RSSMRA85T10A562S';
const IBAN = 'IT60X0542811101000000123456';
const PHONE = '333 1234567';
const EMAIL = 'mario.rossi@example.it';
const QUESTION = `Il mio codice fiscale è ${CF}, IBAN ${IBAN}, telefono ${PHONE}, email ${EMAIL}: il mio criceto parla il tedesco, cosa devo fare?`;
const DESCRIPTION = `Rimborso sul conto ${IBAN} per ${CF}, richiamatemi al ${PHONE}`;
// A Sunday: 020202 is closed, so the handoff becomes a written request with the citizen's contact.
const SUNDAY = () => new Date('2026-11-29T10:00:00.000Z');

const mongoUri = process.env.MONGODB_URI;
const stores: [string, () => { env: Record<string, string>; raw: () => Promise<string>; cleanup: () => Promise<void> }][] = [
  ['sqlite', () => {
    const dir = tempDataDir();
    return { env: { DATA_DIR: dir }, raw: async () => rawSqlite(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
];
if (mongoUri) {
  stores.push(['mongodb', () => {
    const dir = tempDataDir();
    const db = `atrest_${randomUUID().slice(0, 8)}`;
    return {
      env: { DATA_DIR: dir, MONGODB_URI: mongoUri, MONGODB_DB: db },
      raw: () => rawMongo(mongoUri, db),
      cleanup: async () => {
        rmSync(dir, { recursive: true, force: true });
        const client = new MongoClient(mongoUri);
        await client.db(db).dropDatabase().finally(() => client.close());
      },
    };
  }]);
}

describe.each(stores)('a Direct Line conversation carrying personal data, at rest: %s', (_name, make) => {
  test('the raw store holds none of it in clear; Dialogo resumes the conversation after a restart and the export reads it all back', async () => {
    const store = make();
    const config: Config = loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DIRECTLINE_SECRET: DL_SECRET, ...store.env });
    try {
      let dialogo = await startDialogo(config, silent, { now: SUNDAY });
      const citizen = await DirectLineCitizen.start(dialogo.port, undefined, DL_SECRET);
      try {
        // A question the knowledge base cannot answer: it becomes a knowledge gap with its example.
        const [fallback] = await citizen.say(QUESTION);
        expect(fallback.channelData.dialogo.outcome).toBe('fallback');
        await citizen.say('voglio parlare con una persona');
        await citizen.say('sì');
        await citizen.say(EMAIL);
        await citizen.say(DESCRIPTION);
        const [created] = await citizen.say('Conferma');
        expect(created.text).toMatch(/DLG-2026-000001/);
      } finally {
        await dialogo.stop();
      }

      const everything = await store.raw();
      // What is stored in clear is redacted: the events and the knowledge gap's example.
      expect(everything).toContain('[CODICE_FISCALE]');
      for (const secret of [CF, IBAN, PHONE, EMAIL, PHONE.replace(' ', ''), citizen.userId]) expect(everything).not.toContain(secret);

      dialogo = await startDialogo(config, silent, { now: SUNDAY });
      try {
        citizen.moveTo(dialogo.port);
        expect((await citizen.say('grazie')).length).toBeGreaterThan(0);
      } finally {
        await dialogo.stop();
      }

      const backend = await openStorage(config);
      try {
        const records = await exportCitizenData(backend, { channel: 'directline', channelConversationId: citizen.conversationId, userId: citizen.userId });
        // The history: a head record, and one record per activity under the conversation's prefix.
        const history = records.filter((r) => r.store === 'state' && r.key?.startsWith(`directline/conversations/${citizen.conversationId}/activity/`));
        expect(records.some((r) => r.store === 'state' && r.key === `directline/conversation/${citizen.conversationId}`)).toBe(true);
        expect(JSON.stringify(history.map((r) => r.record))).toContain(QUESTION.replace(/"/g, '\\"'));
        // The knowledge gap's example is the redacted text.
        const examples = (await backend.rollups.gaps('2026-11-29', '2026-11-29')).flatMap((g) => g.examples);
        expect(examples).toContainEqual(expect.stringContaining('[CODICE_FISCALE]'));
        expect(records.filter((r) => r.store === 'tickets').map((r) => r.record)).toEqual([
          expect.objectContaining({ reference: 'DLG-2026-000001', contactEmail: EMAIL, description: DESCRIPTION }),
        ]);
      } finally {
        await backend.close();
      }
    } finally {
      await store.cleanup();
    }
  }, 60_000);
});
