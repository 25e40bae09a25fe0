import { z } from 'zod';
import { AlreadyExistsError, DEFAULT_MAX_CONCURRENT, type OperatorAccount, type OperatorStore } from '../storage/ports';
import { MAX_SIGNED_OUT_SESSIONS } from '../storage/record-schemas';
import { OPERATOR_TOKEN_TTL_MS } from './operator-tokens';
import { assertPasswordPolicy, hashPassword, unmatchableHash, verifyPassword } from './passwords';

/** An operator account as shown to people and to the console: everything but the password hash. */
export type OperatorView = Omit<OperatorAccount, 'passwordHash'>;

export type OperatorRole = OperatorAccount['role'];

export const operatorNameSchema = z
  .string()
  .regex(/^[a-z0-9._-]{3,32}$/, 'must be 3 to 32 characters among lowercase letters, digits, ".", "_" and "-"');
export const operatorRoleSchema = z.enum(['operator', 'supervisor'], { error: 'must be "operator" or "supervisor"' });

/** What citizens read of an operator: a first name or a chosen name, never the login. */
export const displayNameSchema = z
  .string()
  .trim()
  .regex(/^[\p{L}][\p{L}\p{M} .'’-]{0,39}$/u, 'must be 1 to 40 characters: letters, spaces, apostrophes, dots and hyphens, starting with a letter');

/** What went wrong in an account operation; `code` tells a caller (the CLI, a route) how to answer. */
export class OperatorAccountError extends Error {
  constructor(
    readonly code: 'INVALID_NAME' | 'INVALID_ROLE' | 'INVALID_DISPLAY_NAME' | 'DUPLICATE_NAME' | 'UNKNOWN_OPERATOR',
    message: string,
  ) {
    super(message);
    this.name = 'OperatorAccountError';
  }
}

function view({ passwordHash: _hidden, ...rest }: OperatorAccount): OperatorView {
  return rest;
}

function validName(name: string): string {
  const parsed = operatorNameSchema.safeParse(name);
  if (!parsed.success) throw new OperatorAccountError('INVALID_NAME', `operator name "${name}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

/** Letters and digits only, accents dropped (NFD splits them off as marks), lowercased: "Giulia Rossi" and "giulia.rossi" compare equal. */
function skeleton(text: string): string {
  return text.normalize('NFD').replace(/[^\p{L}\p{N}]/gu, '').toLowerCase();
}

/** A valid display name for the login `name`; one that spells the login out would hand it to every citizen. */
function validDisplayName(displayName: string, name: string): string {
  const parsed = displayNameSchema.safeParse(displayName);
  if (!parsed.success) throw new OperatorAccountError('INVALID_DISPLAY_NAME', `display name "${displayName}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  if (skeleton(parsed.data) === skeleton(name)) {
    throw new OperatorAccountError('INVALID_DISPLAY_NAME', `display name "${displayName}" would show the login "${name}" to citizens: choose a name such as the first name only`);
  }
  return parsed.data;
}

/**
 * Operator accounts over an {@link OperatorStore}: validated names, scrypt-hashed passwords,
 * and an `authenticate` that costs one scrypt whether or not the name exists, so response
 * times do not reveal which names are accounts.
 *
 * @example
 * const accounts = new OperatorAccounts(backend.operators);
 * await accounts.add('giulia.rossi', 'supervisor', 'una password lunga', { displayName: 'Giulia' });
 * const who = await accounts.authenticate('giulia.rossi', 'una password lunga'); // { name: 'giulia.rossi', role: 'supervisor', displayName: 'Giulia', ... }
 */
export class OperatorAccounts {
  private readonly dummyHash = unmatchableHash();

  constructor(
    private readonly store: OperatorStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates an account with the display name citizens will see; throws
   * {@link OperatorAccountError} for a bad or taken name or a bad display name,
   * PasswordPolicyError for a weak password.
   */
  async add(name: string, role: string, password: string, options: { displayName: string; maxConcurrent?: number }): Promise<OperatorView> {
    const validated = validName(name);
    const displayName = validDisplayName(options.displayName, validated);
    const parsedRole = operatorRoleSchema.safeParse(role);
    if (!parsedRole.success) throw new OperatorAccountError('INVALID_ROLE', `role "${role}" ${parsedRole.error.issues[0]?.message ?? 'is invalid'}`);
    assertPasswordPolicy(password);
    const account: OperatorAccount = {
      name: validated,
      role: parsedRole.data,
      passwordHash: await hashPassword(password),
      createdAt: this.now().toISOString(),
      maxConcurrent: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      displayName,
    };
    try {
      await this.store.create(account);
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw new OperatorAccountError('DUPLICATE_NAME', `an operator named "${validated}" already exists`);
      throw error;
    }
    return view(account);
  }

  /** One account without its password hash. */
  async get(name: string): Promise<OperatorView | undefined> {
    const account = await this.store.get(name);
    return account ? view(account) : undefined;
  }

  /** Every account, by name, without password hashes. */
  async list(): Promise<OperatorView[]> {
    return (await this.store.list()).map(view);
  }

  /** Deletes the account; false when there was none. */
  async remove(name: string): Promise<boolean> {
    return this.store.remove(name);
  }

  /**
   * Sets a new password and voids the console tokens issued before it (whoever held the old
   * password is signed out); throws {@link OperatorAccountError} when there is no such operator.
   */
  async passwd(name: string, password: string): Promise<void> {
    assertPasswordPolicy(password);
    const account = await this.store.get(name);
    if (!account) throw new OperatorAccountError('UNKNOWN_OPERATOR', `there is no operator named "${name}"`);
    const passwordHash = await hashPassword(password);
    await this.store.upsert({ ...account, passwordHash, signedOutAt: this.now().toISOString() });
  }

  /**
   * Ends one console session ("Esci"): the token issued at `issuedAt` (its `iat`) no longer opens
   * anything, even copied from the browser, a log or a proxy; the operator's other sessions (the
   * dashboard in another tab) go on. Sessions whose tokens have expired anyway are forgotten, and
   * at most {@link MAX_SIGNED_OUT_SESSIONS} are kept. False when there is no such operator.
   */
  async signOut(name: string, issuedAt: number): Promise<boolean> {
    const account = await this.store.get(name);
    if (!account) return false;
    const stillValid = this.now().getTime() - OPERATOR_TOKEN_TTL_MS;
    const sessions = [...(account.signedOutSessions ?? []).filter((iat) => iat >= stillValid && iat !== issuedAt), issuedAt].slice(-MAX_SIGNED_OUT_SESSIONS);
    await this.store.upsert({ ...account, signedOutSessions: sessions });
    return true;
  }

  /** Sets the name citizens see; throws {@link OperatorAccountError} for a bad display name or an unknown operator. */
  async setDisplayName(name: string, displayName: string): Promise<OperatorView> {
    const account = await this.store.get(name);
    if (!account) throw new OperatorAccountError('UNKNOWN_OPERATOR', `there is no operator named "${name}"`);
    const updated = { ...account, displayName: validDisplayName(displayName, account.name) };
    await this.store.upsert(updated);
    return view(updated);
  }

  /**
   * The account when `name` and `password` match an enabled account, else undefined. An
   * unknown name is checked against a dummy hash, so it takes as long as a wrong password.
   */
  async authenticate(name: string, password: string): Promise<OperatorView | undefined> {
    const account = operatorNameSchema.safeParse(name).success ? await this.store.get(name) : undefined;
    const matches = await verifyPassword(password, account?.passwordHash ?? this.dummyHash);
    return account && matches && !account.disabled ? view(account) : undefined;
  }
}
