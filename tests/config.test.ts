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
  ])('%j is refused naming what is wrong', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('empty variables count as unset', () => {
    expect(loadConfig({ PORT: '', MicrosoftAppId: '' }).port).toBe(3978);
  });
});
