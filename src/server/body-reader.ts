// Request bodies at the edge, read by Dialogo itself instead of restify's bodyParser: that parser
// gunzips without an 'error' listener (a bad gzip body ends the process, restify#1975), inflates
// without a decoded-size limit, and writes multipart uploads to the temp folder. Dialogo takes no
// uploads and no client of it compresses request bodies, so the rules are short: identity encoding
// only, JSON only, a byte limit counted as the bytes arrive, a bounded nesting depth.
import type { IncomingMessage } from 'node:http';
import { sendError, type HttpErrorCode } from './http-errors';

/** Deepest JSON nesting accepted (activities nest five or six levels; 32 leaves room for channel data). */
export const MAX_JSON_DEPTH = 32;

/**
 * After the limit is passed, bytes still read (and thrown away) so that an honest client that
 * overshot finishes sending and reads the 413; past this the connection is cut instead.
 */
const DISCARD_BYTES = 1024 * 1024;

/** A body read to the end, or the catalogued reason it was refused. */
export type BodyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly code: HttpErrorCode; readonly closeConnection: boolean };

/** A JSON body parsed as `unknown` (undefined when the request has none), or the reason it was refused. */
export type JsonBodyResult =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly code: HttpErrorCode; readonly closeConnection: boolean };

/** Whether the request announces a body: a Content-Length above zero or a Transfer-Encoding. */
export function announcesBody(req: Pick<IncomingMessage, 'headers'>): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Refuses, before a byte is read, a body in any Content-Encoding but identity. Decoding is not
 * offered: no Bot Framework channel, Meta webhook or Web Chat client compresses its requests, and
 * a decoder is one more thing an attacker can feed (a 249 KB gzip body inflates to 250 MB).
 */
export function encodingRefusal(req: Pick<IncomingMessage, 'headers'>): HttpErrorCode | undefined {
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined) return undefined;
  const codings = String(encoding).split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  return codings.every((c) => c === 'identity') ? undefined : 'UNSUPPORTED_CONTENT_ENCODING';
}

/**
 * Reads a request body's exact bytes, at most `maxBytes`. Never rejects: a client that goes away
 * mid-body, or any stream error, is a refusal like the others (the caller's answer is then lost,
 * which is fine), so nothing reaches the process as an unhandled 'error'.
 *
 * @example
 * const body = await readRawBody(req, 1024 * 1024);
 * if (!body.ok) return sendError(res, body.code);
 * verifySignature(body.bytes, req.headers['x-hub-signature-256'], secret);
 */
export function readRawBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const encoding = encodingRefusal(req);
  if (encoding) return Promise.resolve({ ok: false, code: encoding, closeConnection: announcesBody(req) });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, code: 'BODY_TOO_LARGE', closeConnection: true });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('close', onAborted);
      // Further errors of this request are expected (the client went away) and handled here.
      req.on('error', () => undefined);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > maxBytes + DISCARD_BYTES) {
        req.pause();
        settle({ ok: false, code: 'BODY_TOO_LARGE', closeConnection: true });
      }
    };
    const onEnd = () =>
      settle(size > maxBytes ? { ok: false, code: 'BODY_TOO_LARGE', closeConnection: true } : { ok: true, bytes: Buffer.concat(chunks, size) });
    const onAborted = () => settle({ ok: false, code: 'INVALID_REQUEST', closeConnection: true });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('aborted', onAborted);
    req.once('close', onAborted);
    req.once('error', onAborted);
  });
}

/** Whether a Content-Type names JSON: `application/json` or `application/<anything>+json`, in UTF-8 (no charset, or utf-8). */
export function isJsonContentType(value: string | undefined): boolean {
  const [first = '', ...parameters] = (value ?? '').split(';');
  const type = first.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type)) return false;
  // JSON is UTF-8 (RFC 8259): a body announced in another charset would be read as what it is not.
  return parameters.every((p) => {
    const [name = '', charset = ''] = p.split('=');
    return name.trim().toLowerCase() !== 'charset' || /^"?utf-?8"?$/i.test(charset.trim());
  });
}

/**
 * Reads and parses a JSON body. A request without a body gives `undefined`; a body whose
 * Content-Type is not JSON (multipart, forms, CSV, TSV, text...) is refused before it is read.
 */
export async function readJsonBody(req: IncomingMessage, options: { readonly maxBytes: number; readonly maxDepth?: number }): Promise<JsonBodyResult> {
  if (!announcesBody(req)) return { ok: true, body: undefined };
  const encoding = encodingRefusal(req);
  if (encoding) return { ok: false, code: encoding, closeConnection: true };
  if (!isJsonContentType(req.headers['content-type'])) return { ok: false, code: 'UNSUPPORTED_MEDIA_TYPE', closeConnection: true };
  const raw = await readRawBody(req, options.maxBytes);
  if (!raw.ok) return raw;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw.bytes);
  } catch {
    return { ok: false, code: 'NOT_JSON', closeConnection: false };
  }
  if (text.trim() === '') return { ok: true, body: undefined };
  if (jsonDepthExceeds(text, options.maxDepth ?? MAX_JSON_DEPTH)) return { ok: false, code: 'JSON_TOO_DEEP', closeConnection: false };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, code: 'NOT_JSON', closeConnection: false };
  }
}

/**
 * Whether JSON text opens more than `maxDepth` arrays or objects at once, scanned before parsing
 * so that nothing downstream (validation, serialisation, storage) ever recurses into a deep value.
 * Brackets inside strings do not count; the text need not be valid JSON.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

/**
 * Answers a refused body with its catalogued error. When the rest of the body was not read the
 * connection is closed after the answer, so the unread bytes cannot be taken for the next request.
 */
export function refuseBody(
  res: { setHeader(name: string, value: string): unknown; send(status: number, body: unknown): unknown },
  refusal: { readonly code: HttpErrorCode; readonly closeConnection: boolean },
): void {
  if (refusal.closeConnection) res.setHeader('Connection', 'close');
  // RFC 7694: a 415 for a content coding says which codings are accepted.
  if (refusal.code === 'UNSUPPORTED_CONTENT_ENCODING') res.setHeader('Accept-Encoding', 'identity');
  sendError(res, refusal.code);
}
