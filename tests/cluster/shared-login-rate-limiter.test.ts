import { SharedLoginRateLimiter } from '../../src/cluster/shared-login-rate-limiter';
import { createLogger } from '../../src/logger';
import type { LoginRateDecision, LoginRateLimiterOptions } from '../../src/operators/login-rate-limiter';
import { useRedis } from '../fixtures/redis-server';
import { waitFor } from './wait';

/**
 * The login limits of tests/operators/login-rate-limiter.test.ts, held across two instances:
 * every call goes to the next instance in turn, as a round-robin load balancer sends them.
 */

const MINUTE = 60_000;
const ATTACKER = '203.0.113.7';
const OWNER = '198.51.100.1';
const logger = createLogger('silent');
const redis = useRedis({ leaseMs: 1000, prefix: 'login' });

function clock(start = Date.parse('2026-11-10T09:00:00Z')): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Two instances' limiters on one Redis; `attempt` alternates between them. */
async function cluster(options: Omit<LoginRateLimiterOptions, 'maxKeys'> = {}) {
  const coordinators = await redis.pair();
  const limiters = coordinators.map((coordinator) => new SharedLoginRateLimiter(coordinator, { ...options, logger }));
  let next = 0;
  const attempt = (account: string, address: string) => limiters[next++ % limiters.length]!.attempt(account, address);
  const fail = async (account: string, address: string): Promise<LoginRateDecision> => {
    const decision = await attempt(account, address);
    if (decision.allowed) await decision.attempt.fail();
    return decision;
  };
  const succeed = async (account: string, address: string): Promise<LoginRateDecision> => {
    const decision = await attempt(account, address);
    if (decision.allowed) await decision.attempt.succeed();
    return decision;
  };
  return { attempt, fail, succeed, coordinators };
}

test('five failures of one account from one address, on any instances, block that pair until the oldest leaves the window', async () => {
  const c = clock();
  const { attempt, fail } = await cluster({ now: c.now });
  for (let i = 0; i < 5; i++) {
    expect((await fail('giulia.rossi', ATTACKER)).allowed).toBe(true);
    c.advance(MINUTE);
  }
  expect(await attempt('giulia.rossi', ATTACKER)).toEqual({ allowed: false, limitedBy: 'account-address', retryAfterMs: 10 * MINUTE });
  expect(await attempt('Giulia.Rossi ', ATTACKER)).toMatchObject({ allowed: false, limitedBy: 'account-address' });
  c.advance(10 * MINUTE - 1);
  expect((await attempt('giulia.rossi', ATTACKER)).allowed).toBe(false);
  c.advance(1);
  expect((await fail('giulia.rossi', ATTACKER)).allowed).toBe(true);
});

test('an address locked out of an account does not lock the owner out at another address', async () => {
  const { attempt, fail, succeed } = await cluster({ now: clock().now });
  for (let i = 0; i < 5; i++) await fail('giulia.rossi', ATTACKER);
  expect((await attempt('giulia.rossi', ATTACKER)).allowed).toBe(false);
  expect((await succeed('giulia.rossi', OWNER)).allowed).toBe(true);
});

test('attempts are reserved before the verification: concurrent ones on both instances beyond the limit are refused at once', async () => {
  const { attempt } = await cluster({ now: clock().now });
  const decisions = await Promise.all(Array.from({ length: 100 }, () => attempt('giulia.rossi', ATTACKER)));
  expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  for (const d of decisions) if (d.allowed) await d.attempt.fail();
  expect((await attempt('giulia.rossi', ATTACKER)).allowed).toBe(false);
});

test('a success releases its reservation and clears its pair, not the address nor the account', async () => {
  const { attempt, fail } = await cluster({ now: clock().now, maxPerAccountAddress: 3, maxPerAddress: 5 });
  for (let i = 0; i < 2; i++) await fail('giulia.rossi', ATTACKER);
  const right = await attempt('giulia.rossi', ATTACKER);
  const wrong = await attempt('giulia.rossi', ATTACKER);
  expect([right.allowed, wrong.allowed]).toEqual([true, false]);
  if (right.allowed) await right.attempt.succeed();
  for (let i = 0; i < 3; i++) expect((await fail('giulia.rossi', ATTACKER)).allowed).toBe(true);
  expect(await attempt('marco', ATTACKER)).toMatchObject({ allowed: false, limitedBy: 'address' });
});

test('a cancelled attempt counts against nobody; settling twice changes nothing', async () => {
  const { attempt, fail } = await cluster({ now: clock().now, maxPerAccountAddress: 1 });
  const first = await attempt('giulia.rossi', ATTACKER);
  if (!first.allowed) throw new Error('the first attempt must be allowed');
  await first.attempt.cancel();
  await first.attempt.fail();
  expect((await fail('giulia.rossi', ATTACKER)).allowed).toBe(true);
  expect((await attempt('giulia.rossi', ATTACKER)).allowed).toBe(false);
});

test('one address spraying many accounts meets the per-address ceiling (30) on every instance', async () => {
  const c = clock();
  const { attempt, fail } = await cluster({ now: c.now });
  for (let i = 0; i < 30; i++) expect((await fail(`user${i}`, ATTACKER)).allowed).toBe(true);
  expect(await attempt('someone.else', ATTACKER)).toEqual({ allowed: false, limitedBy: 'address', retryAfterMs: 15 * MINUTE });
  expect((await attempt('someone.else', ATTACKER)).allowed).toBe(false);
  expect((await attempt('someone.else', OWNER)).allowed).toBe(true);
  c.advance(15 * MINUTE);
  expect((await attempt('someone.else', ATTACKER)).allowed).toBe(true);
});

test('many addresses guessing one account meet the per-account ceiling (100); an address where the owner signed in stays open for 30 days', async () => {
  const c = clock();
  const { attempt, fail, succeed } = await cluster({ now: c.now });
  expect((await succeed('giulia.rossi', OWNER)).allowed).toBe(true);
  c.advance(MINUTE);
  for (let i = 0; i < 100; i++) expect((await fail('giulia.rossi', `192.0.2.${i}`)).allowed).toBe(true);
  expect(await attempt('giulia.rossi', '192.0.2.200')).toMatchObject({ allowed: false, limitedBy: 'account' });
  expect((await succeed('giulia.rossi', OWNER)).allowed).toBe(true);
  c.advance(30 * 24 * 60 * MINUTE);
  for (let i = 0; i < 100; i++) await fail('giulia.rossi', `192.0.2.${i}`);
  expect(await attempt('giulia.rossi', OWNER)).toMatchObject({ allowed: false, limitedBy: 'account' });
});

test('a refusal waits for the longest of the limits it meets', async () => {
  const c = clock();
  const { attempt, fail } = await cluster({ now: c.now, maxPerAccountAddress: 2, maxPerAddress: 3 });
  await fail('marco', ATTACKER);
  c.advance(5 * MINUTE);
  await fail('giulia.rossi', ATTACKER);
  await fail('giulia.rossi', ATTACKER);
  expect(await attempt('giulia.rossi', ATTACKER)).toEqual({ allowed: false, limitedBy: 'account-address', retryAfterMs: 15 * MINUTE });
});

test('limits must be positive integers', () => {
  const backend = { keyPrefix: 'x:', health: () => ({ state: 'ok' as const, since: '' }), runScript: async () => [1] };
  expect(() => new SharedLoginRateLimiter(backend, { logger, maxPerAddress: 0 })).toThrow('SharedLoginRateLimiter: maxPerAddress must be a positive integer, got 0');
});

test('while Redis is down each instance limits by itself: the door neither opens nor shuts', async () => {
  const c = clock();
  const { attempt, fail, coordinators } = await cluster({ now: c.now, maxPerAccountAddress: 2 });
  await redis.server().kill();
  try {
    await waitFor(() => coordinators.every((coordinator) => coordinator.health().state === 'degraded'), 3000);
    // Alternating instances: each counts its own, so the pair meets the limit after 2 failures on each.
    for (let i = 0; i < 4; i++) expect((await fail('giulia.rossi', ATTACKER)).allowed).toBe(true);
    expect(await attempt('giulia.rossi', ATTACKER)).toMatchObject({ allowed: false, limitedBy: 'account-address' });
    expect((await attempt('giulia.rossi', OWNER)).allowed).toBe(true);
  } finally {
    await redis.server().restart();
  }
}, 15_000);
