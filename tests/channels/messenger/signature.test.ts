import { createHmac } from 'node:crypto';
import { signBody, verifySignature } from '../../../src/channels/messenger/signature';

const secret = 'app-secret-for-tests';
const body = Buffer.from(JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, messaging: [] }] }));

describe('verifySignature', () => {
  test('accepts the HMAC-SHA256 of the exact body under the app secret', () => {
    expect(verifySignature(body, signBody(body, secret), secret)).toBe(true);
  });

  test('accepts an upper-case hex digest', () => {
    expect(verifySignature(body, signBody(body, secret).toUpperCase().replace('SHA256=', 'sha256='), secret)).toBe(true);
  });

  test.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a repeated header', [signBody(body, secret), signBody(body, secret)]],
    ['a signature under another secret', signBody(body, 'another-secret')],
    ['the legacy SHA-1 signature', `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`],
    ['a truncated digest', signBody(body, secret).slice(0, 40)],
    ['not hex', `sha256=${'z'.repeat(64)}`],
  ])('refuses %s', (_name, header) => {
    expect(verifySignature(body, header as string | string[] | undefined, secret)).toBe(false);
  });

  test('refuses a body changed after signing, even by one byte', () => {
    const signature = signBody(body, secret);
    const changed = Buffer.from(body);
    changed[changed.length - 2] = changed[changed.length - 2]! ^ 1;
    expect(verifySignature(changed, signature, secret)).toBe(false);
  });
});
