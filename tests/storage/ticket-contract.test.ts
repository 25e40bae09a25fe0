import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { sealBackend } from '../../src/privacy/encrypted-storage';
import { createRecordCipher } from '../../src/privacy/encryption';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import type { TicketRecord, TicketStore } from '../../src/storage/ports';
import { migrate } from '../../src/storage/sqlite/migrations';
import { openSqliteBackend, SQLITE_FILE } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';
import { adapters } from './adapters';

const HOUR = 3600_000;
const T0 = Date.parse('2026-04-01T08:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const EMAIL = 'laura.bianchi@example.org';
const ANSWER = 'Gentile cittadina, il rimborso si chiede con il modulo online. Risposta di prova 3331234567.';

function ticket(n: number, hours: number, extra: Partial<TicketRecord> = {}): TicketRecord {
  return {
    reference: `DLG-2026-${String(n).padStart(6, '0')}`, createdAt: at(hours), conversationId: `conv-${n}`, channel: 'directline', language: 'it',
    topicId: 'tari', contactEmail: EMAIL, description: 'Ho pagato la TARI due volte', state: 'open', ...extra,
  };
}

const KEPT = [
  { at: at(-0.1), from: 'citizen' as const, text: 'abito in via Padova 12, come pago la TARI?' },
  { at: at(-0.1), from: 'bot' as const, text: 'La TARI si paga con il modello F24.', topicId: 'tari' },
];

const claim = (by: string, hours: number) => ({ by, at: at(hours), staleBefore: at(hours - 0.5) });

describe.each(adapters)('written requests: search, answer and close (%s)', (_name, open) => {
  let tickets: TicketStore;
  let close: () => Promise<void>;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const opened = await open();
    tickets = opened.backend.tickets;
    close = () => opened.backend.close();
    cleanup = opened.cleanup;
  });
  afterEach(async () => {
    await close();
    await cleanup();
  });

  test('search filters by reference, state, topic and creation time together, newest first, with the count of all matches', async () => {
    await tickets.create(ticket(1, 0));
    await tickets.create(ticket(2, 1, { topicId: 'carta-identita' }));
    await tickets.create(ticket(3, 2, { topicId: null }));
    await tickets.create(ticket(4, 3));
    await tickets.close('DLG-2026-000004', { ...claim('giulia', 4), outcome: 'spam', note: 'pubblicità' });
    const refs = (found: { tickets: TicketRecord[] }) => found.tickets.map((t) => t.reference);

    expect(refs(await tickets.search({ limit: 10 }))).toEqual(['DLG-2026-000004', 'DLG-2026-000003', 'DLG-2026-000002', 'DLG-2026-000001']);
    expect(await tickets.search({ reference: 'DLG-2026-000002', limit: 10 })).toEqual({ tickets: [ticket(2, 1, { topicId: 'carta-identita' })], count: 1 });
    expect(await tickets.search({ reference: 'DLG-2026-000099', limit: 10 })).toEqual({ tickets: [], count: 0 });
    expect(refs(await tickets.search({ state: 'open', topicId: 'tari', limit: 10 }))).toEqual(['DLG-2026-000001']);
    expect(refs(await tickets.search({ state: 'closed', limit: 10 }))).toEqual(['DLG-2026-000004']);
    expect(refs(await tickets.search({ createdBefore: new Date(at(2)), limit: 10 }))).toEqual(['DLG-2026-000002', 'DLG-2026-000001']);
    expect(refs(await tickets.search({ createdFrom: new Date(at(1)), createdBefore: new Date(at(3)), limit: 10 }))).toEqual(['DLG-2026-000003', 'DLG-2026-000002']);
    const page = await tickets.search({ state: 'open', limit: 2 });
    expect(refs(page)).toEqual(['DLG-2026-000003', 'DLG-2026-000002']);
    expect(page.count).toBe(3);
    expect(await tickets.countByState()).toEqual({ open: 3, answered: 0, closed: 1 });
  });

  test('the conversation kept with a request is read back whole, and not listed by search when absent', async () => {
    await tickets.create(ticket(1, 0, { transcript: KEPT }));
    await tickets.create(ticket(2, 1));
    expect(await tickets.get('DLG-2026-000001')).toEqual(ticket(1, 0, { transcript: KEPT }));
    expect((await tickets.search({ limit: 5 })).tickets).toEqual([ticket(2, 1), ticket(1, 0, { transcript: KEPT })]);
  });

  test('an answer is stored under a claim: one of two operators wins, the answer and who and when are kept, state answered', async () => {
    await tickets.create(ticket(1, 0));
    const claims = await Promise.all([tickets.claimReply('DLG-2026-000001', claim('giulia', 1)), tickets.claimReply('DLG-2026-000001', claim('marco', 1))]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = claims[0] ? 'giulia' : 'marco';
    const loser = winner === 'giulia' ? 'marco' : 'giulia';
    expect(await tickets.recordAnswer('DLG-2026-000001', { by: loser, at: at(1.1), text: 'no' })).toBe(false);
    expect(await tickets.recordAnswer('DLG-2026-000001', { by: winner, at: at(1.1), text: ANSWER })).toBe(true);
    expect(await tickets.get('DLG-2026-000001')).toEqual(ticket(1, 0, { state: 'answered', answer: ANSWER, answeredBy: winner, answeredAt: at(1.1) }));
    expect(await tickets.claimReply('DLG-2026-000001', claim('marco', 2))).toBe(false);
    expect(await tickets.claimReply('DLG-2026-000404', claim('marco', 2))).toBe(false);
    expect(await tickets.countByState()).toEqual({ open: 0, answered: 1, closed: 0 });
  });

  test('a released claim leaves the request open for anyone; a claim left by a crash is taken again once stale', async () => {
    await tickets.create(ticket(1, 0));
    expect(await tickets.claimReply('DLG-2026-000001', claim('giulia', 1))).toBe(true);
    await tickets.releaseReply('DLG-2026-000001', 'giulia');
    expect(await tickets.get('DLG-2026-000001')).toEqual(ticket(1, 0));
    expect(await tickets.claimReply('DLG-2026-000001', claim('marco', 1))).toBe(true);
    expect(await tickets.claimReply('DLG-2026-000001', claim('giulia', 1.2))).toBe(false);
    expect(await tickets.close('DLG-2026-000001', { ...claim('giulia', 1.2), outcome: 'duplicate', note: 'doppia' })).toBe(false);
    // marco's claim at hour 1 is older than giulia's staleBefore at hour 1.5
    expect(await tickets.claimReply('DLG-2026-000001', claim('giulia', 2))).toBe(true);
    expect(await tickets.recordAnswer('DLG-2026-000001', { by: 'marco', at: at(2), text: ANSWER })).toBe(false);
  });

  test('close: an open or answered request closes once with outcome, note, who and when; twice or unknown is refused', async () => {
    await tickets.create(ticket(1, 0));
    await tickets.create(ticket(2, 0.5));
    expect(await tickets.claimReply('DLG-2026-000002', claim('giulia', 1))).toBe(true);
    expect(await tickets.recordAnswer('DLG-2026-000002', { by: 'giulia', at: at(1), text: ANSWER })).toBe(true);

    expect(await tickets.close('DLG-2026-000001', { ...claim('marco', 2), outcome: 'not-competent', note: 'È competenza dell\'Agenzia delle Entrate' })).toBe(true);
    expect(await tickets.close('DLG-2026-000002', { ...claim('giulia', 2), outcome: 'answered' })).toBe(true);
    expect(await tickets.close('DLG-2026-000001', { ...claim('giulia', 3), outcome: 'spam', note: 'x' })).toBe(false);
    expect(await tickets.close('DLG-2026-000404', { ...claim('giulia', 3), outcome: 'spam', note: 'x' })).toBe(false);
    expect(await tickets.get('DLG-2026-000001')).toEqual(ticket(1, 0, { state: 'closed', closedAt: at(2), closedBy: 'marco', outcome: 'not-competent', closeNote: 'È competenza dell\'Agenzia delle Entrate' }));
    expect(await tickets.get('DLG-2026-000002')).toEqual(ticket(2, 0.5, { state: 'closed', answer: ANSWER, answeredBy: 'giulia', answeredAt: at(1), closedAt: at(2), closedBy: 'giulia', outcome: 'answered' }));
    expect(await tickets.claimReply('DLG-2026-000001', claim('giulia', 4))).toBe(false);
  });

  test('sealed: the answer and the note are not in clear at rest and read back whole', async () => {
    const opened = await open();
    const sealed = sealBackend(opened.backend, createRecordCipher('chiave-di-prova-lunga-almeno-32-caratteri!'), () => undefined);
    try {
      await sealed.tickets.create(ticket(1, 0, { transcript: KEPT }));
      await sealed.tickets.create(ticket(2, 0));
      await sealed.tickets.claimReply('DLG-2026-000001', claim('giulia', 1));
      await sealed.tickets.recordAnswer('DLG-2026-000001', { by: 'giulia', at: at(1), text: ANSWER });
      await sealed.tickets.close('DLG-2026-000002', { ...claim('giulia', 1), outcome: 'spam', note: 'scrive 3331234567' });
      await sealed.close();
      const everything = await opened.raw();
      expect(everything).toContain('DLG-2026-000001');
      for (const secret of ['3331234567', 'modulo online', EMAIL, 'via Padova 12']) expect(everything).not.toContain(secret);
      const again = sealBackend(await opened.reopen(), createRecordCipher('chiave-di-prova-lunga-almeno-32-caratteri!'), () => undefined);
      expect(await again.tickets.get('DLG-2026-000001')).toMatchObject({ answer: ANSWER, contactEmail: EMAIL, transcript: KEPT });
      expect((await again.tickets.search({ state: 'closed', limit: 5 })).tickets).toEqual([ticket(2, 0, { state: 'closed', closedAt: at(1), closedBy: 'giulia', outcome: 'spam', closeNote: 'scrive 3331234567' })]);
      await again.close();
    } finally {
      await opened.cleanup();
    }
  });
});

describe('written requests stored before the answered state', () => {
  test('SQLite migration 7 keeps every open and closed request, now with state, and they can be searched and answered', async () => {
    const dir = tempDataDir();
    try {
      const db = new Database(path.join(dir, SQLITE_FILE));
      expect(migrate(db, 6)).toEqual([1, 2, 3, 4, 5, 6]);
      const insert = db.prepare('INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      insert.run('DLG-2025-000001', at(-100), 'c1', 'directline', 'it', 'tari', EMAIL, 'vecchia richiesta', 'closed', at(-50), 'giulia');
      insert.run('DLG-2025-000002', at(-90), 'c2', 'messenger', 'en', null, 'x@example.org', 'old request', 'open', null, null);
      db.close();

      const backend = openSqliteBackend(dir);
      try {
        expect(await backend.tickets.list()).toEqual([
          { reference: 'DLG-2025-000001', createdAt: at(-100), conversationId: 'c1', channel: 'directline', language: 'it', topicId: 'tari', contactEmail: EMAIL, description: 'vecchia richiesta', state: 'closed', closedAt: at(-50), closedBy: 'giulia' },
          { reference: 'DLG-2025-000002', createdAt: at(-90), conversationId: 'c2', channel: 'messenger', language: 'en', topicId: null, contactEmail: 'x@example.org', description: 'old request', state: 'open' },
        ]);
        expect(await backend.tickets.countByState()).toEqual({ open: 1, answered: 0, closed: 1 });
        expect(await backend.tickets.claimReply('DLG-2025-000002', claim('marco', 0))).toBe(true);
        expect(await backend.tickets.recordAnswer('DLG-2025-000002', { by: 'marco', at: at(0), text: ANSWER })).toBe(true);
        expect(await backend.tickets.nextReference(2026)).toBe('DLG-2026-000001');
      } finally {
        await backend.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const mongoUri = process.env.MONGODB_URI;
  (mongoUri ? test : test.skip)('MongoDB documents with the old status are read, searched and counted by state', async () => {
    const uri = mongoUri as string;
    const dbName = `tickets_legacy_${randomUUID().slice(0, 8)}`;
    const client = new MongoClient(uri);
    try {
      await client.db(dbName).collection('tickets').insertMany([
        { reference: 'DLG-2025-000001', createdAt: new Date(at(-100)), conversationId: 'c1', channel: 'directline', language: 'it', topicId: 'tari', contactEmail: EMAIL, description: 'vecchia richiesta', status: 'closed', closedAt: new Date(at(-50)), closedBy: 'giulia' },
        { reference: 'DLG-2025-000002', createdAt: new Date(at(-90)), conversationId: 'c2', channel: 'messenger', language: 'en', topicId: null, contactEmail: 'x@example.org', description: 'old request', status: 'open' },
      ]);
      const backend = await openMongoBackend(uri, dbName);
      try {
        expect((await backend.tickets.search({ state: 'open', limit: 5 })).tickets.map((t) => [t.reference, t.state])).toEqual([['DLG-2025-000002', 'open']]);
        expect(await backend.tickets.get('DLG-2025-000001')).toMatchObject({ state: 'closed', closedBy: 'giulia' });
        expect(await backend.tickets.countByState()).toEqual({ open: 1, answered: 0, closed: 1 });
      } finally {
        await backend.close();
      }
    } finally {
      await client.db(dbName).dropDatabase();
      await client.close();
    }
  });
});
