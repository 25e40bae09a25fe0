import type { Request } from 'restify';
import type { OperatorIdentity } from '../handoff/handoff-service';
import type { OperatorAccounts } from './operator-accounts';
import type { OperatorClaims, OperatorTokens } from './operator-tokens';

/**
 * The operator behind a request's `Authorization: Bearer` console token, looked up in the
 * accounts on every call (a removed or disabled account is out at once); undefined otherwise.
 *
 * @example
 * const who = await bearerIdentity(req, tokens, accounts);
 * if (!who) return sendError(res, 'OPERATOR_TOKEN_INVALID');
 */
export async function bearerIdentity(req: Request, tokens: OperatorTokens, accounts: OperatorAccounts): Promise<OperatorIdentity | undefined> {
  const header = req.headers.authorization;
  const claims = tokens.verify(typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined);
  return claims ? identityOf(accounts, claims) : undefined;
}

/** The current account of verified claims, if it still exists and is enabled. */
export async function identityOf(accounts: OperatorAccounts, claims: OperatorClaims): Promise<OperatorIdentity | undefined> {
  const account = await accounts.get(claims.sub);
  if (!account || account.disabled) return undefined;
  return { name: account.name, role: account.role, maxConcurrent: account.maxConcurrent, ...(account.displayName ? { displayName: account.displayName } : {}) };
}
