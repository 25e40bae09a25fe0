import type { Logger } from '../../logger';

/** The Graph API version Dialogo is written and tested against (Meta's reference, May 2026). */
export const GRAPH_API_VERSION = 'v25.0';
export const DEFAULT_GRAPH_URL = `https://graph.facebook.com/${GRAPH_API_VERSION}`;

/**
 * Graph error codes that mean "slow down" or "try again": 4 application rate limit, 17 user
 * rate limit, 32 page rate limit, 613 call rate limit, 2 temporary service problem,
 * 1200 temporary send failure. Any other 4xx is final: retrying would repeat the mistake.
 */
const RETRYABLE_CODES = new Set([2, 4, 17, 32, 613, 1200]);

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
  /** Injected in tests so that backoff takes no time. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What the Send API answers on success. */
export interface SendResult {
  readonly recipient_id?: string;
  readonly message_id?: string;
}

/**
 * The few Graph API calls Dialogo makes (Send API and Messenger Profile API), with retries and
 * backoff on 5xx, network errors and rate limits, never on other 4xx. The page token travels as
 * the documented `access_token` parameter and is never logged.
 *
 * @example
 * const graph = new GraphClient({ baseUrl: DEFAULT_GRAPH_URL, pageAccessToken, logger });
 * await graph.send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'Ciao' } });
 */
export class GraphClient {
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: GraphClientOptions) {
    if (!options.pageAccessToken) throw new Error('GraphClient needs a page access token');
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** POST /me/messages: a message or a sender action. */
  send(body: Record<string, unknown>): Promise<SendResult> {
    return this.call('POST', '/me/messages', body) as Promise<SendResult>;
  }

  /** POST /me/messenger_profile: Get Started, greeting, persistent menu. */
  setProfile(body: Record<string, unknown>): Promise<unknown> {
    return this.call('POST', '/me/messenger_profile', body);
  }

  private async call(method: 'POST', path: string, body: Record<string, unknown>): Promise<unknown> {
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`);
    url.searchParams.set('access_token', this.options.pageAccessToken);
    for (let attempt = 1; ; attempt += 1) {
      let error: GraphApiError;
      try {
        const response = await fetch(url, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text();
        const json = parseJson(text);
        if (response.ok) return json;
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
