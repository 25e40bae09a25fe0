import type { Request, Response, Server } from 'restify';
import type { Logger } from '../../logger';
import { readRawBody, refuseBody } from '../../server/body-reader';
import { sameSecret } from '../../server/constant-time';
import { sendError } from '../../server/http-errors';
import type { MessengerAdapter } from './messenger-adapter';
import { SIGNATURE_HEADER, verifySignature } from './signature';
import { webhookSchema } from './webhook';

export const MESSENGER_PATH = '/api/messenger';
/** Largest webhook delivery read (Meta batches up to 1,000 events; ours are far smaller). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface MessengerRouteOptions {
  /** Unset when Messenger is not configured: the routes answer 404 with a clear error. */
  readonly adapter?: MessengerAdapter;
  readonly appSecret?: string;
  readonly verifyToken?: string;
  readonly logger: Logger;
}

/**
 * Mounts the Messenger Platform webhook at `/api/messenger`.
 * GET answers Meta's subscription check (`hub.mode=subscribe`, the verify token, `hub.challenge`).
 * POST checks `X-Hub-Signature-256` against the raw bytes before anything is parsed, answers
 * 200 at once, then processes the events; a wrong or missing signature is 403 and nothing runs.
 *
 * @example
 * const endpoint = mountMessenger(server, { adapter, appSecret, verifyToken, logger });
 * await endpoint.shutdown(10_000);
 */
export function mountMessenger(server: Server, options: MessengerRouteOptions): { shutdown(graceMs: number): Promise<void> } {
  const { adapter, appSecret, verifyToken, logger } = options;
  let stopping = false;

  server.get(MESSENGER_PATH, async (req: Request, res: Response) => {
    if (!adapter || !verifyToken) return sendError(res, 'CHANNEL_NOT_CONFIGURED', ['set MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN and MESSENGER_PAGE_ACCESS_TOKEN']);
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const challenge = query.get('hub.challenge') ?? '';
    if (query.get('hub.mode') !== 'subscribe' || !sameSecret(query.get('hub.verify_token') ?? '', verifyToken) || challenge.length === 0 || challenge.length > 512) {
      logger.warn({ channel: 'facebook', mode: query.get('hub.mode') }, 'messenger webhook verification refused');
      return sendError(res, 'VERIFY_TOKEN_MISMATCH');
    }
    res.header('content-type', 'text/plain; charset=utf-8');
    res.sendRaw(200, challenge);
  });

  server.post(MESSENGER_PATH, async (req: Request, res: Response) => {
    if (!adapter || !appSecret) return sendError(res, 'CHANNEL_NOT_CONFIGURED', ['set MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN and MESSENGER_PAGE_ACCESS_TOKEN']);
    const delivery = await readRawBody(req, MAX_WEBHOOK_BYTES);
    if (!delivery.ok) return refuseBody(res, delivery);
    const raw = delivery.bytes;
    if (!verifySignature(raw, req.headers[SIGNATURE_HEADER], appSecret)) {
      logger.warn({ channel: 'facebook', signed: req.headers[SIGNATURE_HEADER] !== undefined, bytes: raw.length }, 'messenger webhook with a missing or wrong signature refused');
      return sendError(res, 'BAD_SIGNATURE');
    }
    // Meta redelivers what is not acknowledged: while stopping, say so and let it come back.
    if (stopping) return sendError(res, 'SHUTTING_DOWN');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, 'NOT_JSON');
    }
    const parsed = webhookSchema.safeParse(body);
    if (!parsed.success) {
      return sendError(res, 'INVALID_WEBHOOK', parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    }
    res.header('content-type', 'text/plain; charset=utf-8');
    res.sendRaw(200, 'EVENT_RECEIVED');
    // Acknowledged: the adapter processes (and counts) the events from here; it never rejects.
    void adapter.processWebhook(parsed.data);
  });

  return {
    async shutdown(graceMs: number) {
      stopping = true;
      await adapter?.drain(graceMs);
      adapter?.close();
    },
  };
}
