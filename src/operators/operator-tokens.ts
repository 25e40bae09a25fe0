import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** A console session lasts a shift. */
export const OPERATOR_TOKEN_TTL_MS = 10 * 60 * 60 * 1000;

/** `iat`: when the token was issued (ms); tokens made before it existed have none. */
const claimsSchema = z.object({ sub: z.string().min(1), role: z.enum(['operator', 'supervisor']), exp: z.number().int(), iat: z.number().int().optional() });
export type OperatorClaims = z.infer<typeof claimsSchema>;

/**
 * When verified claims were issued (epoch ms): their `iat`, or their expiry less the lifetime for
 * tokens issued before `iat` existed. Compared with an account's `signedOutAt`.
 */
export function issuedAt(claims: OperatorClaims): number {
  return claims.iat ?? claims.exp - OPERATOR_TOKEN_TTL_MS;
}

/**
 * Console tokens: `base64url(claims).base64url(HMAC-SHA256)`, signed with OPERATOR_TOKEN_SECRET
 * (or a key made at start-up, which logs everyone out on restart). Verification is constant-time
 * and checks the expiry.
 *
 * @example
 * const tokens = new OperatorTokens(config.operators.tokenSecret);
 * const token = tokens.issue('giulia', 'operator');
 * tokens.verify(token); // { sub: 'giulia', role: 'operator', exp: ... }
 */
export class OperatorTokens {
  private readonly key: Buffer;
  private lastIssued = 0;

  constructor(
    secret: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  issue(name: string, role: 'operator' | 'supervisor'): string {
    // A session is known by its issue time ("Esci" ends it by that): two sign-ins within one
    // millisecond get two.
    const now = Math.max(this.now(), this.lastIssued + 1);
    this.lastIssued = now;
    const body = Buffer.from(JSON.stringify({ sub: name, role, exp: now + OPERATOR_TOKEN_TTL_MS, iat: now })).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  verify(token: string | undefined | null): OperatorClaims | undefined {
    if (!token) return undefined;
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const parsed = claimsSchema.safeParse(claims);
    if (!parsed.success || parsed.data.exp <= this.now()) return undefined;
    return parsed.data;
  }

  /** Whether verified claims have expired since (a console socket outlives its token's check). */
  expired(claims: OperatorClaims): boolean {
    return claims.exp <= this.now();
  }

  /** Milliseconds until the claims expire (0 when they have). */
  remainingMs(claims: OperatorClaims): number {
    return Math.max(0, claims.exp - this.now());
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
