import type { Request } from 'restify';
import type { OperatorIdentity } from '../handoff/handoff-service';
import type { OperatorAccounts } from './operator-accounts';
import { issuedAt, type OperatorClaims, type OperatorTokens } from './operator-tokens';

/**
 * The operator behind a request's `Authorization: Bearer` console token, looked up in the
 * accounts on every call (a removed or disabled account is out at once); undefined otherwise.
 *
 * @example
 * const who = await bearerIdentity(req, tokens, accounts);
 * if (!who) return sendError(res, 'OPERATOR_TOKEN_INVALID');
 */
export async function bearerIdentity(req: Request, tokens: OperatorTokens, accounts: OperatorAccounts): Promise<OperatorIdentity | undefined> {
  const claims = tokens.verify(bearerToken(req));
  return claims ? identityOf(accounts, claims) : undefined;
}

/** The token of a request's `Authorization: Bearer` header, unverified; undefined without one. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * The current account of verified claims, if it still exists and is enabled, its password has not
 * changed since the token was issued, and the token's session was not ended with "Esci".
 */
export async function identityOf(accounts: OperatorAccounts, claims: OperatorClaims): Promise<OperatorIdentity | undefined> {
  const account = await accounts.get(claims.sub);
  if (!account || account.disabled) return undefined;
  const issued = issuedAt(claims);
  if (account.signedOutAt !== undefined && issued < Date.parse(account.signedOutAt)) return undefined;
  if (account.signedOutSessions?.includes(issued)) return undefined;
  return { name: account.name, role: account.role, maxConcurrent: account.maxConcurrent, ...(account.displayName ? { displayName: account.displayName } : {}) };
}
