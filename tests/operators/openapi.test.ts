import { readFileSync } from 'node:fs';
import path from 'node:path';
import restify from 'restify';
import { parse } from 'yaml';
import { OPERATOR_API, mountOperatorApi } from '../../src/operators/operator-routes';
import { createLogger } from '../../src/logger';

describe('docs/operator-api.yaml', () => {
  test('documents exactly the routes the operator API mounts', async () => {
    const server = restify.createServer();
    const handoff = { on: () => undefined, off: () => undefined } as never;
    const api = mountOperatorApi(server, { handoff, accounts: {} as never, tokens: {} as never, limiter: {} as never, trustProxyHops: 0, runtime: (() => undefined) as never, logger: createLogger('silent'), workspace: {} as never, requests: handoff });
    const mounted = (server.getDebugInfo().routes as { method: string; path: string }[])
      .filter((r) => r.path.startsWith(OPERATOR_API))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const doc = parse(readFileSync(path.resolve(__dirname, '../../docs/operator-api.yaml'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([route, methods]) => Object.keys(methods).filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m)).map((m) => `${m} ${route}`))
      .filter((r) => !r.endsWith('/api/operator/ws'))
      .sort();
    expect(documented).toEqual(mounted);
    await api.shutdown();
  });
});
