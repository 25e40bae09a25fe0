import { sameSecret } from '../../server/constant-time';
import type { HttpErrorCode } from '../../server/http-errors';
import type { DirectLineTokens, TokenClaims } from './tokens';

/** Who a request speaks for: the site secret (any conversation) or a token of one conversation. */
export type Access = { readonly kind: 'secret' } | { readonly kind: 'token'; readonly claims: TokenClaims };

/** Why a request is refused, as Direct Line 3.0 answers it: 401 no credentials, 403 a bad or expired one. */
export type Denial = { readonly denied: Extract<HttpErrorCode, 'CREDENTIALS_MISSING' | 'TOKEN_INVALID' | 'TokenExpired'> };

/** The credential of an `Authorization: Bearer …` header; undefined when it is missing or malformed. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Decides what `credential` grants. With `conversationId` the token must be bound to that
 * conversation; a token of another one is `TOKEN_INVALID` even if expired, so that a token reveals
 * nothing about other conversations. `TokenExpired` only for a genuine token past its expiry.
 *
 * @example
 * const granted = accessOf(bearerOf(req.headers.authorization), { tokens, secret }, req.params.conversationId);
 * if ('denied' in granted) return sendError(res, granted.denied);
 */
export function accessOf(
  credential: string | undefined,
  keys: { readonly tokens: DirectLineTokens; readonly secret: string | undefined },
  conversationId?: string,
): Access | Denial {
  if (!credential) return { denied: 'CREDENTIALS_MISSING' };
  if (keys.secret && sameSecret(credential, keys.secret)) return { kind: 'secret' };
  const checked = keys.tokens.check(credential);
  if (checked.status === 'invalid') return { denied: 'TOKEN_INVALID' };
  if (conversationId !== undefined && checked.claims.conv !== conversationId) return { denied: 'TOKEN_INVALID' };
  if (checked.status === 'expired') return { denied: 'TokenExpired' };
  return { kind: 'token', claims: checked.claims };
}
