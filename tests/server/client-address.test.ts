import { clientAddress } from '../../src/server/client-address';

const req = (xff: string | undefined, remote = '10.0.0.2') => ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: remote } });

describe('clientAddress', () => {
  test.each([
    ['no trusted proxy: the socket, whatever the header says', req('6.6.6.6'), 0, '10.0.0.2'],
    ['one trusted proxy: the entry it appended', req('6.6.6.6, 203.0.113.7'), 1, '203.0.113.7'],
    ['two trusted proxies: the entry the outer one appended', req('6.6.6.6, 203.0.113.7, 10.1.1.1'), 2, '203.0.113.7'],
    ['a header shorter than the hops: the leftmost address', req('203.0.113.7'), 2, '203.0.113.7'],
    ['no header behind a proxy: the socket', req(undefined), 1, '10.0.0.2'],
    ['garbage in the header: the socket', req('not-an-ip'), 1, '10.0.0.2'],
    ['IPv4 with a port (App Service writes it so)', req('203.0.113.7:51234'), 1, '203.0.113.7'],
    ['IPv6 in brackets with a port', req('[2001:db8::1]:443'), 1, '2001:db8::1'],
    ['IPv4-mapped socket address', req(undefined, '::ffff:127.0.0.1'), 0, '127.0.0.1'],
  ])('%s', (_name, request, hops, expected) => {
    expect(clientAddress(request, hops)).toBe(expected);
  });

  test('a client cannot pick its key by prepending entries', () => {
    const a = clientAddress(req('1.1.1.1, 203.0.113.7'), 1);
    const b = clientAddress(req('2.2.2.2, 203.0.113.7'), 1);
    expect(a).toBe(b);
  });
});
