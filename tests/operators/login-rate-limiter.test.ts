import { LoginRateLimiter, type LoginRateDecision } from '../../src/operators/login-rate-limiter';

const MINUTE = 60_000;
const ATTACKER = '203.0.113.7';
const OWNER = '198.51.100.1';

function clock(start = Date.parse('2026-11-10T09:00:00Z')): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** A wrong password tried through the limiter; the decision when it was refused. */
function fail(limiter: LoginRateLimiter, account: string, address: string): LoginRateDecision {
  const decision = limiter.attempt(account, address);
  if (decision.allowed) decision.attempt.fail();
  return decision;
}

function succeed(limiter: LoginRateLimiter, account: string, address: string): LoginRateDecision {
  const decision = limiter.attempt(account, address);
  if (decision.allowed) decision.attempt.succeed();
  return decision;
}

describe('login rate limiter', () => {
  test('five failures of one account from one address block that pair until the oldest leaves the window', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ now: c.now });
    for (let i = 0; i < 5; i++) {
      expect(fail(limiter, 'giulia.rossi', ATTACKER).allowed).toBe(true);
      c.advance(MINUTE);
    }
    expect(limiter.attempt('giulia.rossi', ATTACKER)).toEqual({ allowed: false, limitedBy: 'account-address', retryAfterMs: 10 * MINUTE });
    expect(limiter.attempt('Giulia.Rossi ', ATTACKER)).toMatchObject({ allowed: false, limitedBy: 'account-address' });
    c.advance(10 * MINUTE - 1);
    expect(limiter.attempt('giulia.rossi', ATTACKER).allowed).toBe(false);
    c.advance(1);
    expect(fail(limiter, 'giulia.rossi', ATTACKER).allowed).toBe(true);
  });

  test('an address locked out of an account does not lock the owner out at another address', () => {
    const limiter = new LoginRateLimiter({ now: clock().now });
    for (let i = 0; i < 5; i++) fail(limiter, 'giulia.rossi', ATTACKER);
    expect(limiter.attempt('giulia.rossi', ATTACKER).allowed).toBe(false);
    expect(succeed(limiter, 'giulia.rossi', OWNER).allowed).toBe(true);
  });

  test('attempts are reserved before the verification: concurrent ones beyond the limit are refused at once', () => {
    const limiter = new LoginRateLimiter({ now: clock().now });
    // 100 requests checked before any verification has finished.
    const decisions = Array.from({ length: 100 }, () => limiter.attempt('giulia.rossi', ATTACKER));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    for (const d of decisions) if (d.allowed) d.attempt.fail();
    expect(limiter.attempt('giulia.rossi', ATTACKER).allowed).toBe(false);
  });

  test('a success releases its reservation and clears its pair, not the address nor the account', () => {
    const limiter = new LoginRateLimiter({ now: clock().now, maxPerAccountAddress: 3, maxPerAddress: 5 });
    for (let i = 0; i < 2; i++) fail(limiter, 'giulia.rossi', ATTACKER);
    const right = limiter.attempt('giulia.rossi', ATTACKER);
    const wrong = limiter.attempt('giulia.rossi', ATTACKER);
    expect([right.allowed, wrong.allowed]).toEqual([true, false]);
    if (right.allowed) right.attempt.succeed();
    for (let i = 0; i < 3; i++) expect(fail(limiter, 'giulia.rossi', ATTACKER).allowed).toBe(true);
    // Five failures from this address in all: another account is refused there by the address ceiling.
    expect(limiter.attempt('marco', ATTACKER)).toMatchObject({ allowed: false, limitedBy: 'address' });
  });

  test('a cancelled attempt (nothing verified) counts against nobody; settling twice changes nothing', () => {
    const limiter = new LoginRateLimiter({ now: clock().now, maxPerAccountAddress: 1 });
    const first = limiter.attempt('giulia.rossi', ATTACKER);
    if (!first.allowed) throw new Error('the first attempt must be allowed');
    first.attempt.cancel();
    first.attempt.fail();
    expect(fail(limiter, 'giulia.rossi', ATTACKER).allowed).toBe(true);
    expect(limiter.attempt('giulia.rossi', ATTACKER).allowed).toBe(false);
  });

  test('one address spraying many accounts meets the per-address ceiling (30) for every account', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ now: c.now });
    for (let i = 0; i < 30; i++) expect(fail(limiter, `user${i}`, ATTACKER).allowed).toBe(true);
    expect(limiter.attempt('someone.else', ATTACKER)).toEqual({ allowed: false, limitedBy: 'address', retryAfterMs: 15 * MINUTE });
    expect(limiter.attempt('someone.else', OWNER).allowed).toBe(true);
    c.advance(15 * MINUTE);
    expect(limiter.attempt('someone.else', ATTACKER).allowed).toBe(true);
  });

  test('many addresses guessing one account meet the per-account ceiling (100); an address where the owner signed in stays open', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ now: c.now });
    expect(succeed(limiter, 'giulia.rossi', OWNER).allowed).toBe(true);
    c.advance(MINUTE);
    for (let i = 0; i < 100; i++) expect(fail(limiter, 'giulia.rossi', `192.0.2.${i}`).allowed).toBe(true);
    expect(limiter.attempt('giulia.rossi', '192.0.2.200')).toMatchObject({ allowed: false, limitedBy: 'account' });
    expect(succeed(limiter, 'giulia.rossi', OWNER).allowed).toBe(true);
    // Known for 30 days only.
    c.advance(30 * 24 * 60 * MINUTE);
    for (let i = 0; i < 100; i++) fail(limiter, 'giulia.rossi', `192.0.2.${i}`);
    expect(limiter.attempt('giulia.rossi', OWNER)).toMatchObject({ allowed: false, limitedBy: 'account' });
  });

  test('a refusal waits for the longest of the limits it meets', () => {
    const c = clock();
    const limiter = new LoginRateLimiter({ now: c.now, maxPerAccountAddress: 2, maxPerAddress: 3 });
    fail(limiter, 'marco', ATTACKER);
    c.advance(5 * MINUTE);
    fail(limiter, 'giulia.rossi', ATTACKER);
    fail(limiter, 'giulia.rossi', ATTACKER);
    // The address frees up in 10 minutes, the pair only in 15.
    expect(limiter.attempt('giulia.rossi', ATTACKER)).toEqual({ allowed: false, limitedBy: 'account-address', retryAfterMs: 15 * MINUTE });
  });

  test('memory stays bounded: the least recently used keys are forgotten first', () => {
    const limiter = new LoginRateLimiter({ now: clock().now, maxPerAccountAddress: 1, maxPerAddress: 1000, maxKeys: 2 });
    fail(limiter, 'a.user', ATTACKER);
    fail(limiter, 'b.user', ATTACKER);
    fail(limiter, 'c.user', ATTACKER);
    expect(limiter.attempt('c.user', ATTACKER).allowed).toBe(false);
    expect(limiter.attempt('b.user', ATTACKER).allowed).toBe(false);
    expect(limiter.attempt('a.user', ATTACKER).allowed).toBe(true);
  });

  test('limits must be positive integers', () => {
    expect(() => new LoginRateLimiter({ maxPerAccountAddress: 0 })).toThrow('LoginRateLimiter: maxPerAccountAddress must be a positive integer, got 0');
    expect(() => new LoginRateLimiter({ windowMs: 1.5 })).toThrow(/windowMs must be a positive integer/);
  });
});
