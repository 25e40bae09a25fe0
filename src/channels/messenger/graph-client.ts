import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../../logger';
import { SendLanes } from './send-lanes';

/** The Graph API version Dialogo is written and tested against (Meta's reference, May 2026). */
export const GRAPH_API_VERSION = 'v25.0';
export const DEFAULT_GRAPH_URL = `https://graph.facebook.com/${GRAPH_API_VERSION}`;

/**
 * Graph error codes that mean "slow down" or "try again": 4 application rate limit, 17 user
 * rate limit, 32 page rate limit, 613 call rate limit, 2 temporary service problem,
 * 1200 temporary send failure. Any other 4xx is final: retrying would repeat the mistake.
 */
const RETRYABLE_CODES = new Set([2, 4, 17, 32, 613, 1200]);
/**
 * Graph calls in flight at once (default). Meta allows a page 300 Send API calls a second for
 * text (Messenger Platform rate limits); at a round trip of about 100 ms, 32 calls in flight stay
 * near that, and bound the sockets a burst opens.
 */
export const DEFAULT_MAX_IN_FLIGHT = 32;
/** Graph's answers are a few hundred bytes; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** A failed Graph call, with what Meta said (code and subcode identify the cause). */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly subcode: number | undefined,
    readonly fbtraceId: string | undefined,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

export interface GraphClientOptions {
  /** Base URL with the version, e.g. https://graph.facebook.com/v25.0 (MESSENGER_GRAPH_URL). */
  readonly baseUrl: string;
  readonly pageAccessToken: string;
  readonly logger: Logger;
  /** Attempts in all, the first included (default 4). */
  readonly attempts?: number;
  /** First backoff delay; doubled each retry, with jitter (default 500 ms). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly timeoutMs?: number;
  /** Graph calls in flight at once, across citizens; also the keep-alive agent's socket bound (default {@link DEFAULT_MAX_IN_FLIGHT}). */
  readonly maxInFlight?: number;
  /** Injected in tests so that backoff takes no time. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How one Send API call may be treated. */
export interface SendOptions {
  /**
   * Skip the call when, by the time it may go, another call to the same recipient is queued
   * behind it (for `typing_on`: typing shown just before the answer is only one more call).
   */
  readonly skipIfSuperseded?: boolean;
}

/** What the Send API answers on success. */
export interface SendResult {
  readonly recipient_id?: string;
  readonly message_id?: string;
  /** Set when the call was skipped ({@link SendOptions.skipIfSuperseded}); nothing reached Meta. */
  readonly skipped?: true;
}

/**
 * The few Graph API calls Dialogo makes (Send API and Messenger Profile API), with retries and
 * backoff on 5xx, network errors and rate limits, never on other 4xx. The page token travels as
 * the documented `access_token` parameter and is never logged.
 *
 * Calls go through `node:http`/`node:https` on a keep-alive agent, at most `maxInFlight` at once
 * (no more sockets than that); the Send API calls of one recipient run one at a time in the order
 * they were made, and a slow recipient never delays another ({@link SendLanes}).
 *
 * @example
 * const graph = new GraphClient({ baseUrl: DEFAULT_GRAPH_URL, pageAccessToken, logger });
 * await graph.send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'Ciao' } });
 * graph.close();
 */
export class GraphClient {
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly lanes: SendLanes;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(private readonly options: GraphClientOptions) {
    if (!options.pageAccessToken) throw new Error('GraphClient needs a page access token');
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.lanes = new SendLanes(maxInFlight);
    const secure = new URL(options.baseUrl).protocol === 'https:';
    this.transport = secure ? https : http;
    // Keep-alive: a burst reuses a few warm sockets instead of a handshake per call.
    const agentOptions = { keepAlive: true, maxSockets: maxInFlight, maxFreeSockets: maxInFlight };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** POST /me/messages: a message or a sender action, after the recipient's earlier calls. */
  send(body: Record<string, unknown>, options: SendOptions = {}): Promise<SendResult> {
    const recipient = (body.recipient as { id?: unknown } | undefined)?.id;
    if (typeof recipient !== 'string') return this.call('/me/messages', body) as Promise<SendResult>;
    const superseded = options.skipIfSuperseded ? () => this.lanes.queued(recipient) > 1 : undefined;
    return this.lanes.inLane(recipient, () => this.call('/me/messages', body, superseded)) as Promise<SendResult>;
  }

  /** POST /me/messenger_profile: Get Started, greeting, persistent menu. */
  setProfile(body: Record<string, unknown>): Promise<unknown> {
    return this.call('/me/messenger_profile', body);
  }

  /** Closes the idle keep-alive sockets (they never hold the process open: the agent unrefs them). */
  close(): void {
    this.agent.destroy();
  }

  private async call(path: string, body: Record<string, unknown>, superseded?: () => boolean): Promise<unknown> {
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`);
    url.searchParams.set('access_token', this.options.pageAccessToken);
    const payload = JSON.stringify(body);
    for (let attempt = 1; ; attempt += 1) {
      let error: GraphApiError;
      try {
        const response = await this.lanes.slot(() => (superseded?.() ? Promise.resolve(undefined) : this.post(url, payload)));
        if (!response) return { skipped: true } satisfies SendResult;
        const json = parseJson(response.text);
        if (response.status >= 200 && response.status < 300) return json;
        error = graphError(response.status, json);
        if (response.status === 429) error = new GraphApiError(429, error.code, error.subcode, error.fbtraceId, error.message, true);
      } catch (cause) {
        error = new GraphApiError(0, undefined, undefined, undefined, `Graph API unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, true);
      }
      const log = { path, status: error.status, code: error.code, subcode: error.subcode, fbtraceId: error.fbtraceId, attempt };
      if (!error.retryable || attempt >= this.attempts) {
        this.options.logger.warn({ ...log, error: error.message }, 'Graph API call failed');
        throw error;
      }
      const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      this.options.logger.info({ ...log, retryInMs: Math.round(delay) }, 'Graph API call failed; retrying');
      await this.sleep(delay);
    }
  }

  /** One POST on the keep-alive agent; rejects on a network error, a timeout or an oversized answer. */
  private post(url: URL, payload: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = this.transport.request(
        url,
        { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (response) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > MAX_RESPONSE_BYTES) request.destroy(new Error(`answer over ${MAX_RESPONSE_BYTES} bytes`));
            else chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          response.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
          // After 'end' this changes nothing; before it, the answer was cut short.
          response.on('close', () => {
            clearTimeout(timer);
            reject(new Error('connection closed before the whole answer'));
          });
        },
      );
      // One timer for the whole exchange (connect, send, answer), as AbortSignal.timeout was.
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(payload);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { raw: text.slice(0, 200) };
  }
}

function graphError(status: number, json: unknown): GraphApiError {
  const e = (json as { error?: { message?: unknown; code?: unknown; error_subcode?: unknown; fbtrace_id?: unknown } } | undefined)?.error;
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const subcode = typeof e?.error_subcode === 'number' ? e.error_subcode : undefined;
  const fbtraceId = typeof e?.fbtrace_id === 'string' ? e.fbtrace_id : undefined;
  const message = typeof e?.message === 'string' ? e.message : `HTTP ${status}`;
  const retryable = status >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
  return new GraphApiError(status, code, subcode, fbtraceId, message, retryable);
}
