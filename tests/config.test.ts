import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  test('the defaults run Dialogo locally with no credentials and the local recognizer', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3978, env: 'development', watchKnowledgeBase: true, recognizer: { kind: 'local', timeoutMs: 1500 } });
    expect(config.botAuth.appId).toBeUndefined();
    expect(Object.isFrozen(config.recognizer)).toBe(true);
  });

  test.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ RECOGNIZER: 'clu' }, /CLU_ENDPOINT, CLU_KEY/],
    [{ RECOGNIZER: 'luis', LUIS_ENDPOINT: 'https://x.example', LUIS_KEY: 'k', LUIS_APP_ID: 'not-a-uuid' }, /LUIS_APP_ID/],
    [{ MicrosoftAppId: 'abc' }, /MicrosoftAppPassword is required/],
    [{ RECOGNIZER: 'gpt' }, /RECOGNIZER/],
    [{ MESSENGER_APP_SECRET: 'secret' }, /all three of MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN and MESSENGER_PAGE_ACCESS_TOKEN/],
    [{ MESSENGER_APP_SECRET: 's', MESSENGER_VERIFY_TOKEN: 'short', MESSENGER_PAGE_ACCESS_TOKEN: 't' }, /MESSENGER_VERIFY_TOKEN/],
    [{ MESSENGER_PAGE_ID: 'comune.milano' }, /MESSENGER_PAGE_ID: must be the numeric page id/],
  ])('%j is refused naming what is wrong', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('empty variables count as unset', () => {
    expect(loadConfig({ PORT: '', MicrosoftAppId: '' }).port).toBe(3978);
  });

  test('Messenger is off by default and on with its three settings, on the pinned Graph version', () => {
    expect(loadConfig({}).messenger).toBeUndefined();
    const config = loadConfig({ MESSENGER_APP_SECRET: 'app-secret', MESSENGER_VERIFY_TOKEN: 'verify-token', MESSENGER_PAGE_ACCESS_TOKEN: 'EAAtoken' });
    expect(config.messenger).toEqual({ appSecret: 'app-secret', verifyToken: 'verify-token', pageAccessToken: 'EAAtoken', graphUrl: 'https://graph.facebook.com/v25.0', pageId: undefined });
  });
});
