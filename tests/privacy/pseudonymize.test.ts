import { createHmac } from 'node:crypto';
import { pseudonymousId } from '../../src/privacy/pseudonymize';

const SECRET = 'test-secret-not-for-production';

describe('pseudonymousId', () => {
  test('is 32 lower-case hex characters', () => {
    expect(pseudonymousId(SECRET, 'msteams', '29:1a2b3c4d')).toMatch(/^[0-9a-f]{32}$/);
  });

  test('gives the same citizen on the same channel the same id', () => {
    expect(pseudonymousId(SECRET, 'webchat', 'user-42')).toBe(pseudonymousId(SECRET, 'webchat', 'user-42'));
  });

  test.each<[string, string, string]>([
    ['another user on the same channel', 'webchat', 'user-43'],
    ['the same user id on another channel', 'msteams', 'user-42'],
    ['ids whose concatenation is the same', 'webcha', 'tuser-42'],
  ])('gives %s a different id', (_name, channelId, userId) => {
    expect(pseudonymousId(SECRET, channelId, userId)).not.toBe(pseudonymousId(SECRET, 'webchat', 'user-42'));
  });

  test('depends on the secret, so it cannot be recomputed without it', () => {
    expect(pseudonymousId('another-secret', 'webchat', 'user-42')).not.toBe(pseudonymousId(SECRET, 'webchat', 'user-42'));
  });

  test('does not contain the user id', () => {
    expect(pseudonymousId(SECRET, 'webchat', 'abc123')).not.toContain('abc123');
  });

  test('throws on an empty secret', () => {
    expect(() => pseudonymousId('', 'webchat', 'user-42')).toThrow(/secret/);
  });

  test('ids kept between turns are those of their own secret, and stay exact past the number kept', () => {
    const first = pseudonymousId(SECRET, 'webchat', 'user-42');
    expect(pseudonymousId('another-secret', 'webchat', 'user-42')).not.toBe(first);
    for (let i = 0; i < 20_001; i++) pseudonymousId(SECRET, 'webchat', `user-${i}-x`);
    const expected = createHmac('sha256', SECRET).update(JSON.stringify(['webchat', 'user-42'])).digest('hex').slice(0, 32);
    expect(pseudonymousId(SECRET, 'webchat', 'user-42')).toBe(expected);
    expect(first).toBe(expected);
  });
});
