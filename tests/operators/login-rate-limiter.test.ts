import { LoginRateLimiter } from '../../src/operators/login-rate-limiter';

const MINUTE = 60_000;

function clock(start = Date.parse('2026-11-10T09:00:00Z')): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('login rate limiter', () => {
  test('five failures for a username within 15 minutes block it until the oldest leaves the window', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ now: c.now });
    for (let i = 0; i < 5; i++) {
      expect(limiter.check('giulia.rossi', '203.0.113.7')).toEqual({ allowed: true });
      limiter.recordFailure('giulia.rossi', '203.0.113.7');
      c.advance(MINUTE);
    }
    expect(limiter.check('giulia.rossi', '198.51.100.1')).toEqual({ allowed: false, limitedBy: 'username', retryAfterMs: 10 * MINUTE });
    expect(limiter.check('Giulia.Rossi ', '198.51.100.1')).toMatchObject({ allowed: false, limitedBy: 'username' });
    expect(limiter.check('marco', '203.0.113.7')).toEqual({ allowed: true });
    c.advance(10 * MINUTE - 1);
    expect(limiter.check('giulia.rossi', '203.0.113.7').allowed).toBe(false);
    c.advance(1);
    expect(limiter.check('giulia.rossi', '203.0.113.7')).toEqual({ allowed: true });
  });

  test('twenty failures from one address block it for every username', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ now: c.now });
    for (let i = 0; i < 20; i++) limiter.recordFailure(`user${i}`, '203.0.113.7');
    expect(limiter.check('someone.else', '203.0.113.7')).toEqual({ allowed: false, limitedBy: 'ip', retryAfterMs: 15 * MINUTE });
    expect(limiter.check('someone.else', '198.51.100.1')).toEqual({ allowed: true });
    c.advance(15 * MINUTE);
    expect(limiter.check('someone.else', '203.0.113.7')).toEqual({ allowed: true });
  });

  test('a success clears the username\'s failures but not the address\'s', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ now: c.now, maxPerUser: 3, maxPerIp: 5 });
    for (let i = 0; i < 3; i++) limiter.recordFailure('giulia.rossi', '203.0.113.7');
    limiter.recordFailure('marco', '203.0.113.7');
    expect(limiter.check('giulia.rossi', '198.51.100.1').allowed).toBe(false);
    limiter.recordSuccess('giulia.rossi');
    expect(limiter.check('giulia.rossi', '198.51.100.1')).toEqual({ allowed: true });
    limiter.recordFailure('giulia.rossi', '203.0.113.7');
    expect(limiter.check('anna', '203.0.113.7')).toMatchObject({ allowed: false, limitedBy: 'ip' });
  });

  test('memory stays bounded: the least recently failing keys are forgotten first', () => {
    const limiter = new LoginRateLimiter({ now: clock().now, maxPerUser: 1, maxPerIp: 1000, maxKeys: 2 });
    limiter.recordFailure('a.user', '203.0.113.7');
    limiter.recordFailure('b.user', '203.0.113.7');
    limiter.recordFailure('c.user', '203.0.113.7');
    expect(limiter.check('a.user', '198.51.100.1')).toEqual({ allowed: true });
    expect(limiter.check('b.user', '198.51.100.1').allowed).toBe(false);
    expect(limiter.check('c.user', '198.51.100.1').allowed).toBe(false);
  });

  test('limits must be positive integers', () => {
    expect(() => new LoginRateLimiter({ maxPerUser: 0 })).toThrow('LoginRateLimiter: maxPerUser must be a positive integer, got 0');
    expect(() => new LoginRateLimiter({ windowMs: 1.5 })).toThrow(/windowMs must be a positive integer/);
  });
});
