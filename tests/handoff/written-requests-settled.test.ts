import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { requestSettledEvent } from '../../src/analytics/analytics-events';
import { WrittenRequests, type RequestSettled } from '../../src/handoff/written-requests';
import { createLogger } from '../../src/logger';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';

describe('written requests answered and closed reach the analytics', () => {
  let backend: StorageBackend;
  beforeEach(() => {
    backend = openSqliteBackend('', ':memory:');
  });
  afterEach(async () => {
    await backend.close();
  });

  test('an answer and a close each emit `settled` with the operator, and count once each', async () => {
    const sent: unknown[] = [];
    const requests = new WrittenRequests({ tickets: backend.tickets, handoffs: backend.handoffs, mailer: { send: async (mail) => void sent.push(mail), close: () => undefined }, logger: createLogger('silent'), now: () => new Date('2026-05-04T09:00:00Z') });
    const settled: RequestSettled[] = [];
    requests.on('settled', (s: RequestSettled) => settled.push(s));
    for (const reference of ['DLG-2026-000001', 'DLG-2026-000002']) {
      await backend.tickets.create({ reference, createdAt: '2026-05-01T10:00:00.000Z', conversationId: 'conv-1', channel: 'directline', language: 'it', topicId: 'tari-pagamento', contactEmail: 'a@example.it', description: 'rimborso', state: 'open' });
    }
    const giulia = { name: 'giulia.rossi', displayName: 'Giulia', role: 'operator' as const, maxConcurrent: 3 };
    await requests.reply('DLG-2026-000001', giulia, 'Il rimborso si chiede online.');
    await requests.close('DLG-2026-000001', giulia, 'answered', undefined);
    await requests.close('DLG-2026-000002', { ...giulia, name: 'sara' }, 'duplicate', 'doppione');
    // A refused close (already closed) emits nothing.
    await expect(requests.close('DLG-2026-000002', giulia, 'duplicate', 'di nuovo')).rejects.toThrow();
    expect(settled.map((s) => [s.kind, s.by, s.request.reference])).toEqual([
      ['answered', 'giulia.rossi', 'DLG-2026-000001'],
      ['closed', 'giulia.rossi', 'DLG-2026-000001'],
      ['closed', 'sara', 'DLG-2026-000002'],
    ]);

    const aggregator = new AnalyticsAggregator(backend.rollups);
    await aggregator.start();
    for (const s of settled) aggregator.observe(requestSettledEvent(s, 'a-secret-of-sixteen'));
    await aggregator.stop();
    const [row] = await backend.rollups.range('2026-05-04', '2026-05-04');
    expect(row).toEqual({
      key: { day: '2026-05-04', channel: 'directline', language: 'it', topicId: 'tari-pagamento' },
      counters: { requestsAnswered: 1, requestsClosed: 2, opAnswered_giulia_drossi: 1, opClosed_giulia_drossi: 1, opClosed_sara: 1 },
    });
  });
});
