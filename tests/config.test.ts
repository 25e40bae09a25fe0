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

  test('operators are away after 60 s with no console; OPERATOR_AWAY_AFTER_MS overrides it for tests; out of range stops start-up', () => {
    expect(loadConfig({}).handoff.operatorAwayAfterMs).toBe(60_000);
    expect(loadConfig({ OPERATOR_AWAY_AFTER_SEC: '90' }).handoff.operatorAwayAfterMs).toBe(90_000);
    expect(loadConfig({ OPERATOR_AWAY_AFTER_SEC: '90', OPERATOR_AWAY_AFTER_MS: '300' }).handoff.operatorAwayAfterMs).toBe(300);
    expect(() => loadConfig({ OPERATOR_AWAY_AFTER_SEC: '1' })).toThrow(/OPERATOR_AWAY_AFTER_SEC/);
    expect(() => loadConfig({ OPERATOR_AWAY_AFTER_MS: 'soon' })).toThrow(/OPERATOR_AWAY_AFTER_MS/);
  });

  test('empty variables count as unset', () => {
    expect(loadConfig({ PORT: '', MicrosoftAppId: '' }).port).toBe(3978);
  });

  test('Messenger is off by default and on with its three settings, on the pinned Graph version', () => {
    expect(loadConfig({}).messenger).toBeUndefined();
    const config = loadConfig({ MESSENGER_APP_SECRET: 'app-secret', MESSENGER_VERIFY_TOKEN: 'verify-token', MESSENGER_PAGE_ACCESS_TOKEN: 'EAAtoken' });
    expect(config.messenger).toEqual({ appSecret: 'app-secret', verifyToken: 'verify-token', pageAccessToken: 'EAAtoken', graphUrl: 'https://graph.facebook.com/v25.0', pageId: undefined });
  });

  test('the edge: any origin in development, only the list in production, https there', () => {
    expect(loadConfig({}).edge.allowedOrigins).toBe('any');
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://www.comune.milano.it, http://localhost:8080' }).edge.allowedOrigins).toEqual(['https://www.comune.milano.it', 'http://localhost:8080']);
    const production = { NODE_ENV: 'production', PSEUDONYM_SECRET: 'p'.repeat(16), OPERATOR_TOKEN_SECRET: 'o'.repeat(16), DATA_ENCRYPTION_KEY: 'k'.repeat(32) };
    expect(loadConfig(production).edge.allowedOrigins).toEqual([]);
    expect(loadConfig({ ...production, ALLOWED_ORIGINS: 'https://www.comune.milano.it' }).edge.allowedOrigins).toEqual(['https://www.comune.milano.it']);
    expect(() => loadConfig({ ...production, ALLOWED_ORIGINS: '*' })).toThrow(/"\*" is not allowed in production/);
    expect(() => loadConfig({ ...production, ALLOWED_ORIGINS: 'http://portal.example' })).toThrow(/must be https in production/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://portal.example/page' })).toThrow(/is not an origin/);
    expect(() => loadConfig({ NODE_ENV: 'production', PSEUDONYM_SECRET: 'p'.repeat(16), OPERATOR_TOKEN_SECRET: 'o'.repeat(16) })).toThrow(/DATA_ENCRYPTION_KEY is required in production/);
    expect(() => loadConfig({ DATA_ENCRYPTION_KEY: 'short' })).toThrow(/DATA_ENCRYPTION_KEY: must be at least 32 characters/);
    expect(loadConfig({}).edge.botServiceUrlHosts).toContain('*.botframework.com');
    expect(() => loadConfig({ BOT_SERVICE_URL_HOSTS: 'http://x' })).toThrow(/BOT_SERVICE_URL_HOSTS/);
    expect(loadConfig({ TRUST_PROXY_HOPS: '1' }).edge.trustProxyHops).toBe(1);
  });
  test('citizens who leave: presence timeout 120 s, idle close 900 s, sweep every 5 s; fractions of a second accepted for tests', () => {
    expect(loadConfig({}).handoffCitizens).toEqual({ presenceTimeoutMs: 120_000, idleCloseMs: 900_000, sweepIntervalMs: 5000 });
    expect(loadConfig({ HANDOFF_PRESENCE_TIMEOUT_SEC: '0.3', HANDOFF_IDLE_CLOSE_SEC: '1.5', HANDOFF_SWEEP_INTERVAL_MS: '50' }).handoffCitizens).toEqual({ presenceTimeoutMs: 300, idleCloseMs: 1500, sweepIntervalMs: 50 });
  });

  test.each([
    [{ HANDOFF_PRESENCE_TIMEOUT_SEC: '0' }, /HANDOFF_PRESENCE_TIMEOUT_SEC/],
    [{ HANDOFF_PRESENCE_TIMEOUT_SEC: 'due minuti' }, /HANDOFF_PRESENCE_TIMEOUT_SEC/],
    [{ HANDOFF_IDLE_CLOSE_SEC: '-5' }, /HANDOFF_IDLE_CLOSE_SEC/],
    [{ HANDOFF_SWEEP_INTERVAL_MS: '10' }, /HANDOFF_SWEEP_INTERVAL_MS/],
    [{ HANDOFF_SWEEP_INTERVAL_MS: '2.5' }, /HANDOFF_SWEEP_INTERVAL_MS/],
  ])('citizen timers: %j is refused naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('mail for answers to written requests: off without SMTP_URL; SMTP_URL needs MAIL_FROM; both are checked', () => {
    expect(loadConfig({}).mail).toBeUndefined();
    expect(loadConfig({ SMTP_URL: 'smtp://dialogo:segreto@smtp.comune.example:587', MAIL_FROM: 'Comune di Milano <noreply@comune.example>' }).mail).toEqual({
      smtpUrl: 'smtp://dialogo:segreto@smtp.comune.example:587',
      from: 'Comune di Milano <noreply@comune.example>',
    });
    expect(loadConfig({ SMTP_URL: 'smtps://smtp.comune.example', MAIL_FROM: 'noreply@comune.example' }).mail?.from).toBe('noreply@comune.example');
    expect(() => loadConfig({ SMTP_URL: 'smtp://smtp.comune.example:587' })).toThrow(/SMTP_URL is set: MAIL_FROM is required/);
    expect(() => loadConfig({ SMTP_URL: 'http://smtp.comune.example', MAIL_FROM: 'noreply@comune.example' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => loadConfig({ SMTP_URL: 'smtp://:587', MAIL_FROM: 'noreply@comune.example' })).toThrow(/SMTP_URL: must name the mail server host/);
    expect(() => loadConfig({ SMTP_URL: 'smtp://smtp.comune.example', MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM: must be an e-mail address/);
    expect(() => loadConfig({ SMTP_URL: 'smtp://smtp.comune.example', MAIL_FROM: 'x@example.org\r\nBcc: all@example.org' })).toThrow(/MAIL_FROM/);
    expect(loadConfig({ SMTP_URL: '', MAIL_FROM: '' }).mail).toBeUndefined();
  });

  test('cluster mode: off without REDIS_URL; with it, MongoDB and the four shared keys are required, each named', () => {
    expect(loadConfig({}).cluster).toBeUndefined();
    const shared = {
      MONGODB_URI: 'mongodb://db.example:27017',
      DIRECTLINE_SECRET: 'directline-secret-0123',
      OPERATOR_TOKEN_SECRET: 'operator-secret-01234',
      PSEUDONYM_SECRET: 'pseudonym-secret-0123',
      DATA_ENCRYPTION_KEY: 'k'.repeat(32),
    };
    expect(loadConfig({ ...shared, REDIS_URL: 'rediss://:key@cache.example:6380' }).cluster).toEqual({ redisUrl: 'rediss://:key@cache.example:6380', keyPrefix: 'dialogo:' });
    expect(loadConfig({ ...shared, REDIS_URL: 'redis://127.0.0.1:6390', REDIS_KEY_PREFIX: 'milano:' }).cluster?.keyPrefix).toBe('milano:');
    for (const name of Object.keys(shared)) {
      const env: Record<string, string> = { ...shared, REDIS_URL: 'redis://127.0.0.1:6390' };
      delete env[name];
      expect(() => loadConfig(env)).toThrow(new RegExp(`REDIS_URL \\(cluster mode\\) needs ${name}`));
    }
    expect(() => loadConfig({ ...shared, REDIS_URL: 'http://cache.example' })).toThrow(/REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
    expect(() => loadConfig({ ...shared, REDIS_URL: 'redis://x', REDIS_KEY_PREFIX: 'a b' })).toThrow(/REDIS_KEY_PREFIX/);
  });
});
