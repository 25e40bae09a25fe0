import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption at rest of the records that must keep the citizen's own words (Direct Line history,
 * dialog state, handoff transcripts and messages, written requests): AES-256-GCM from node:crypto
 * with a random 96-bit IV per record, the record's place in the store as additional
 * authenticated data (a sealed value moved to another record does not open), and a prefix naming
 * the format version and the key, so that a key can be rotated: values sealed with an older key
 * still open while it is listed among the previous keys.
 *
 * Sealed form: `enc:1:<key id, 8 hex>:<base64url of IV ‖ ciphertext ‖ 16-byte tag>`.
 */

/** Shortest DATA_ENCRYPTION_KEY accepted (the config enforces it too). */
export const MIN_SECRET_LENGTH = 32;

const FORMAT = 'enc:1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Fixed salt: the secret is already high-entropy; the salt only separates this use from others.
const SALT = Buffer.from('dialogo/data-at-rest', 'utf8');
const SEALED = /^enc:1:([0-9a-f]{8}):([A-Za-z0-9_-]+)$/;

/** Thrown when a sealed value cannot be opened: unknown key, altered or moved. Names the record, never its content. */
export class SealedRecordError extends Error {
  readonly code = 'SEALED_RECORD_UNREADABLE';
  constructor(
    readonly context: string,
    readonly reason: 'unknown-key' | 'not-authentic' | 'malformed',
    detail: string,
  ) {
    super(`cannot open the sealed record "${context}": ${detail}`);
    this.name = 'SealedRecordError';
  }
}

/** Seals and opens strings bound to a context (the record's place in the store). */
export interface RecordCipher {
  /** Id of the key new values are sealed with (8 hex characters, not secret). */
  readonly keyId: string;
  /** `plaintext` sealed for `context`; a fresh IV every call, so equal inputs give different outputs. */
  seal(plaintext: string, context: string): string;
  /** The plaintext of a value sealed for `context`; throws {@link SealedRecordError} otherwise. */
  open(sealed: string, context: string): string;
}

/** Whether `value` has the sealed form (it may still fail to open). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && SEALED.test(value);
}

/** The one field of a sealed object (a state item, a conversation reference) as the adapters store it. */
export const SEALED_FIELD = 'dialogo:sealed';

/** The sealed text held by `value` when it is a sealed wrapper `{ "dialogo:sealed": "enc:1:..." }`. */
export function sealedWrapper(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const sealed = (value as Record<string, unknown>)[SEALED_FIELD];
  return Object.keys(value).length === 1 && isSealed(sealed) ? sealed : undefined;
}

interface DerivedKey {
  readonly id: string;
  readonly key: Buffer;
}

function derive(secret: string): DerivedKey {
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`the data encryption key must be at least ${MIN_SECRET_LENGTH} characters, got ${secret.length}`);
  const ikm = Buffer.from(secret, 'utf8');
  const key = Buffer.from(hkdfSync('sha256', ikm, SALT, 'aes-256-gcm key v1', 32));
  // The id is derived separately, so publishing it says nothing about the key itself.
  const id = Buffer.from(hkdfSync('sha256', ikm, SALT, 'key id v1', 4)).toString('hex');
  return { id, key };
}

/**
 * A cipher whose key is derived (HKDF-SHA256) from `secret`; values sealed with any of
 * `previous` (older secrets, after a rotation) still open.
 *
 * @example
 * const cipher = createRecordCipher(config.storage.dataEncryptionKey);
 * const sealed = cipher.seal('il mio IBAN è IT60X0542811101000000123456', 'ticket/DLG-2026-000001/description');
 * cipher.open(sealed, 'ticket/DLG-2026-000001/description');
 */
export function createRecordCipher(secret: string, previous: readonly string[] = []): RecordCipher {
  const current = derive(secret);
  const keys = new Map<string, Buffer>([[current.id, current.key]]);
  for (const old of previous) {
    const derived = derive(old);
    if (!keys.has(derived.id)) keys.set(derived.id, derived.key);
  }
  return {
    keyId: current.id,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${FORMAT}${current.id}:${body.toString('base64url')}`;
    },
    open(sealed, context) {
      const match = SEALED.exec(sealed);
      if (!match) throw new SealedRecordError(context, 'malformed', 'not a sealed value');
      const [, id, encoded] = match as unknown as [string, string, string];
      const key = keys.get(id);
      if (!key) {
        throw new SealedRecordError(context, 'unknown-key', `sealed with key ${id}, which this deployment does not hold (current key ${current.id}): was DATA_ENCRYPTION_KEY changed?`);
      }
      const body = Buffer.from(encoded, 'base64url');
      if (body.length < IV_BYTES + TAG_BYTES) throw new SealedRecordError(context, 'malformed', 'too short');
      const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SealedRecordError(context, 'not-authentic', 'altered, or sealed for another record');
      }
    },
  };
}
