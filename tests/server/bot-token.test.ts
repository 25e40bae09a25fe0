import { plausibleBotToken } from '../../src/server/bot-token';

const APP_ID = 'app-id-0001';
const NOW = Date.UTC(2026, 11, 5, 8, 0, 0);
const exp = (offsetSec: number) => Math.floor(NOW / 1000) + offsetSec;
const segment = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const bearer = (header: unknown, claims: unknown) => `Bearer ${segment(header)}.${segment(claims)}.${segment('sig')}`;

describe('plausibleBotToken', () => {
  test.each([
    ['a channel token (aud is the app id)', bearer({ alg: 'RS256', kid: 'k' }, { aud: APP_ID, exp: exp(600) })],
    ['an Emulator v1 token (appid)', bearer({ alg: 'RS256' }, { aud: 'https://api.botframework.com', appid: APP_ID, exp: exp(600) })],
    ['an Emulator v2 token (azp)', bearer({ alg: 'RS512' }, { aud: 'https://api.botframework.com', azp: APP_ID, exp: exp(600) })],
    ['an audience list', bearer({ alg: 'RS384' }, { aud: ['x', APP_ID], exp: exp(600) })],
    ['expired within the clock tolerance', bearer({ alg: 'RS256' }, { aud: APP_ID, exp: exp(-120) })],
  ])('%s may be for this bot', (_name, header) => {
    expect(plausibleBotToken(header, APP_ID, NOW)).toBe(true);
  });

  test.each([
    ['no header', undefined],
    ['a number', 7],
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['two segments', `Bearer ${segment({ alg: 'RS256' })}.${segment({ aud: APP_ID, exp: exp(600) })}`],
    ['HS256', bearer({ alg: 'HS256' }, { aud: APP_ID, exp: exp(600) })],
    ['alg none', bearer({ alg: 'none' }, { aud: APP_ID, exp: exp(600) })],
    ['another audience', bearer({ alg: 'RS256' }, { aud: 'another-bot', exp: exp(600) })],
    ['expired', bearer({ alg: 'RS256' }, { aud: APP_ID, exp: exp(-3600) })],
    ['no expiry', bearer({ alg: 'RS256' }, { aud: APP_ID })],
    ['a header that is not JSON', `Bearer ${segment('{{{')}.${segment({ aud: APP_ID, exp: exp(600) })}.${segment('s')}`],
    ['claims that are an array', bearer({ alg: 'RS256' }, [APP_ID])],
  ])('%s is refused', (_name, header) => {
    expect(plausibleBotToken(header, APP_ID, NOW)).toBe(false);
  });
});
