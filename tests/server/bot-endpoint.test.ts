import { DEFAULT_BOT_SERVICE_URL_HOSTS } from '../../src/config';
import { botEndpointPolicy, RecordedResponse } from '../../src/server/bot-endpoint';

const edge = { allowedOrigins: 'any' as const, trustProxyHops: 0, botServiceUrlHosts: [...DEFAULT_BOT_SERVICE_URL_HOSTS] };
const auth = (appId?: string) => ({ appId, appPassword: appId ? 'secret' : undefined, appType: 'MultiTenant' as const, tenantId: undefined });

describe('botEndpointPolicy', () => {
  test.each([
    ['development without an app id', 'development', undefined, { kind: 'open' }],
    ['test without an app id', 'test', undefined, { kind: 'open' }],
    ['production without an app id', 'production', undefined, { kind: 'closed' }],
    ['production with an app id', 'production', 'app-1', { kind: 'authenticated', appId: 'app-1', serviceUrlHosts: [...DEFAULT_BOT_SERVICE_URL_HOSTS] }],
    ['development with an app id', 'development', 'app-1', { kind: 'authenticated', appId: 'app-1', serviceUrlHosts: [...DEFAULT_BOT_SERVICE_URL_HOSTS] }],
  ] as const)('%s', (_name, env, appId, expected) => {
    expect(botEndpointPolicy({ env, botAuth: auth(appId), edge })).toEqual(expected);
  });
});

describe('RecordedResponse', () => {
  test('records botbuilder-style status() then send(body)', () => {
    const recorded = new RecordedResponse(undefined).status(401).send('Unauthorized Access. Request is not authorized').end();
    expect(recorded).toMatchObject({ statusCode: 401, body: 'Unauthorized Access. Request is not authorized' });
  });

  test('records restify-style send(status, body)', () => {
    const recorded = new RecordedResponse(undefined).send(200, { done: true });
    expect(recorded).toMatchObject({ statusCode: 200, body: { done: true } });
  });
});
