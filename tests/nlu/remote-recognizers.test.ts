import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/logger';
import { CluClient } from '../../src/nlu/clu-recognizer';
import { FallbackRecognizer } from '../../src/nlu/fallback-recognizer';
import type { LocalRecognizer } from '../../src/nlu/local-recognizer';
import { LuisClient } from '../../src/nlu/luis-recognizer';
import { realRuntime } from '../fixtures/runtime';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** A local stand-in for CLU or LUIS that answers in the service's documented JSON shape. */
async function fakeService(handler: Handler): Promise<{ url: string; requests: { url: string; headers: http.IncomingHttpHeaders; body: string }[]; close(): Promise<void> }> {
  const requests: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const cluAnswer = (intents: { category: string; confidenceScore: number }[]) => ({
  kind: 'ConversationResult',
  result: { query: 'q', prediction: { topIntent: intents[0]?.category, projectKind: 'Conversation', intents, entities: [] } },
});

const luisAnswer = (intents: Record<string, number>) => ({
  query: 'q',
  prediction: { topIntent: Object.keys(intents)[0], intents: Object.fromEntries(Object.entries(intents).map(([k, v]) => [k, { score: v }])), entities: {} },
});

describe('remote recognizers behind the recognizer port', () => {
  let local: LocalRecognizer;
  let topics: Set<string>;
  const logger = createLogger('silent');
  beforeAll(async () => {
    local = (await realRuntime()).recognizer as LocalRecognizer;
    topics = new Set(local.topicIds);
  });

  test('CLU: the request has the documented shape and the intents become ranked topics', async () => {
    const service = await fakeService((_req, _body, res) => json(res, 200, cluAnswer([{ category: 'imu', confidenceScore: 0.92 }, { category: 'None', confidenceScore: 0.05 }, { category: 'tari-pagamento', confidenceScore: 0.03 }])));
    try {
      const clu = new CluClient({ endpoint: service.url, key: 'k1', project: 'dialogo', deployment: 'prod' });
      const r = await new FallbackRecognizer(clu, local, topics, 1500, logger).recognize('quando si paga la seconda rata');
      expect(r).toMatchObject({ recognizer: 'clu', band: 'answer', candidates: [{ topicId: 'imu', confidence: 0.92 }, { topicId: 'tari-pagamento' }] });
      const [request] = service.requests;
      expect(request!.url).toBe('/language/:analyze-conversations?api-version=2023-04-01');
      expect(request!.headers['ocp-apim-subscription-key']).toBe('k1');
      expect(JSON.parse(request!.body)).toMatchObject({
        kind: 'Conversation',
        analysisInput: { conversationItem: { text: 'quando si paga la seconda rata' } },
        parameters: { projectName: 'dialogo', deploymentName: 'prod' },
      });
    } finally {
      await service.close();
    }
  });

  test('CLU: a restaurant tip keeps the local out-of-scope signal, so that it is not a municipal miss', async () => {
    const service = await fakeService((_req, _body, res) => json(res, 200, cluAnswer([{ category: 'attivita-commerciali', confidenceScore: 0.2 }])));
    try {
      const clu = new CluClient({ endpoint: service.url, key: 'k1', project: 'dialogo', deployment: 'prod' });
      const r = await new FallbackRecognizer(clu, local, topics, 1500, logger).recognize('mi consigli un ristorante in centro?');
      expect(r.recognizer).toBe('clu');
      expect(r.outOfScope).toBeCloseTo(local.recognizeText('mi consigli un ristorante in centro?').outOfScope ?? Number.NaN);
    } finally {
      await service.close();
    }
  });

  test('LUIS v3: the prediction through the runtime client becomes ranked topics', async () => {
    const service = await fakeService((_req, _body, res) => json(res, 200, luisAnswer({ 'area-c': 0.88, None: 0.1, 'area-b': 0.3 })));
    try {
      const luis = new LuisClient({ endpoint: service.url, appId: '11111111-2222-3333-4444-555555555555', key: 'k2', slot: 'production' });
      const r = await new FallbackRecognizer(luis, local, topics, 1500, logger).recognize('ingresso centro ticket');
      expect(r).toMatchObject({ recognizer: 'luis', candidates: [{ topicId: 'area-c', confidence: 0.88 }, { topicId: 'area-b', confidence: 0.3 }] });
      const [request] = service.requests;
      expect(request!.url).toMatch(/^\/luis\/prediction\/v3\.0\/apps\/11111111-2222-3333-4444-555555555555\/slots\/production\/predict/);
      expect(request!.headers['ocp-apim-subscription-key']).toBe('k2');
      expect(JSON.parse(request!.body)).toMatchObject({ query: 'ingresso centro ticket' });
    } finally {
      await service.close();
    }
  });

  test.each([
    ['an HTTP 500', (_req: http.IncomingMessage, _b: string, res: http.ServerResponse) => json(res, 500, { error: { code: 'InternalServerError' } })],
    ['an unexpected body', (_req: http.IncomingMessage, _b: string, res: http.ServerResponse) => json(res, 200, { hello: 'world' })],
    ['no answer within the timeout', () => undefined],
  ])('CLU failing with %s: the local recognizer answers', async (_name, handler) => {
    const service = await fakeService(handler as Handler);
    try {
      const clu = new CluClient({ endpoint: service.url, key: 'k', project: 'p', deployment: 'd' });
      const r = await new FallbackRecognizer(clu, local, topics, 200, logger).recognize('quanto costa la carta d’identità?');
      expect(r.recognizer).toBe('local (clu failed)');
      expect(r.candidates[0]?.topicId).toBe('carta-identita');
    } finally {
      await service.close();
    }
  });

  test('LUIS failing: the local recognizer answers', async () => {
    const service = await fakeService((_req, _body, res) => json(res, 401, { error: { code: '401', message: 'Access denied' } }));
    try {
      const luis = new LuisClient({ endpoint: service.url, appId: '11111111-2222-3333-4444-555555555555', key: 'bad', slot: 'production' });
      const r = await new FallbackRecognizer(luis, local, topics, 1500, logger).recognize('tari scadenza');
      expect(r).toMatchObject({ recognizer: 'local (luis failed)' });
      expect(r.candidates[0]?.topicId).toBe('tari-pagamento');
    } finally {
      await service.close();
    }
  });

  test('requests for a human never wait for the remote service', async () => {
    const service = await fakeService(() => undefined);
    try {
      const clu = new CluClient({ endpoint: service.url, key: 'k', project: 'p', deployment: 'd' });
      const r = await new FallbackRecognizer(clu, local, topics, 1500, logger).recognize('voglio parlare con un operatore');
      expect(r.intent).toBe('handoff');
      expect(service.requests).toHaveLength(0);
    } finally {
      await service.close();
    }
  });
});
