import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Lifetime of a Direct Line token; refreshing gives a new one with a full lifetime. */
export const TOKEN_LIFETIME_SECONDS = 30 * 60;

/** What a token says: whose it is, for which conversation, until when. */
export interface TokenClaims {
  /** Conversation the token is bound to. */
  readonly conv: string;
  /** The citizen's user id; the channel stamps it on every activity they post. */
  readonly user: string;
  /** Issued at and expiry, seconds since the epoch (JWT style). */
  readonly iat: number;
  readonly exp: number;
}

/**
 * What a presented token is: genuine and current, genuine but past its expiry (Direct Line answers
 * those with `TokenExpired`), or anything else.
 */
export type TokenCheck =
  | { readonly status: 'valid'; readonly claims: TokenClaims }
  | { readonly status: 'expired'; readonly claims: TokenClaims }
  | { readonly status: 'invalid' };

/** The Direct Line 3.0 `Conversation` fields of a freshly issued token. */
export interface IssuedToken {
  readonly conversationId: string;
  readonly token: string;
  readonly expires_in: number;
}

/**
 * Issues and checks Direct Line tokens. A token is a compact JWT signed with HMAC-SHA256
 * (node:crypto, no library): the client library inside Web Chat decodes tokens as JWTs to read
 * the `user` claim, so keeping that shape lets it do so. The signing key is derived from
 * `DIRECTLINE_SECRET`, so tokens survive a restart and are valid across instances; without a
 * secret a random per-process key is used (development).
 *
 * @example
 * const tokens = new DirectLineTokens(config.directLine.secret);
 * const issued = tokens.issue('conv1', 'dl_user1');
 * tokens.verify(issued.token)?.conv; // 'conv1'
 */
export class DirectLineTokens {
  private readonly key: Buffer;

  constructor(
    secret: string | undefined,
    private readonly now: () => number = Date.now,
    /** Seconds a token lives; shorter only in tests of expiry. */
    private readonly lifetimeSeconds: number = TOKEN_LIFETIME_SECONDS,
  ) {
    // A derived key rather than the secret itself: the secret is also a bearer credential, and
    // the signature of a token must not be usable to test guesses of it any faster than HMAC allows.
    this.key = secret ? createHmac('sha256', secret).update('dialogo/directline/token-signing/v1').digest() : randomBytes(32);
  }

  /** A new token for `conversationId` and `userId`, valid {@link TOKEN_LIFETIME_SECONDS} (or the lifetime given). */
  issue(conversationId: string, userId: string): IssuedToken {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = { conv: conversationId, user: userId, iat, exp: iat + this.lifetimeSeconds };
    const head = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
    return { conversationId, token: `${head}.${this.sign(head)}`, expires_in: this.lifetimeSeconds };
  }

  /** The claims of a genuine, unexpired token; `undefined` for anything else (never throws). */
  verify(token: string | undefined): TokenClaims | undefined {
    const checked = this.check(token);
    return checked.status === 'valid' ? checked.claims : undefined;
  }

  /** Whether `token` is genuine and current, genuine but expired, or invalid (never throws). */
  check(token: string | undefined): TokenCheck {
    const invalid = { status: 'invalid' } as const;
    if (typeof token !== 'string' || token.length > 4096) return invalid;
    const parts = token.split('.');
    if (parts.length !== 3) return invalid;
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return invalid;
    }
    if (!isClaims(claims)) return invalid;
    return { status: claims.exp * 1000 <= this.now() ? 'expired' : 'valid', claims };
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function isClaims(value: unknown): value is TokenClaims {
  const c = value as Partial<TokenClaims> | null;
  return (
    typeof c === 'object' && c !== null &&
    typeof c.conv === 'string' && typeof c.user === 'string' &&
    typeof c.iat === 'number' && typeof c.exp === 'number'
  );
}
