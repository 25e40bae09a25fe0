// What /api/messages accepts, decided once from the configuration, and how botbuilder's answers are
// turned into the catalogue's: CloudAdapter writes its errors as free text (a 401 with the
// validator's message, a 500 with a network error when the channel's signing keys cannot be fetched).
import type { Config } from '../config';

/** How `/api/messages` treats incoming activities. */
export type BotEndpointPolicy =
  /** No app id outside production: anonymous activities (the Emulator, curl), any serviceUrl. */
  | { readonly kind: 'open' }
  /** Production without an app id: every activity is refused. */
  | { readonly kind: 'closed' }
  /** An app id: a Bot Framework token for it, and replies only to the channels' service URLs. */
  | { readonly kind: 'authenticated'; readonly appId: string; readonly serviceUrlHosts: readonly string[] };

/**
 * The policy of a configuration.
 *
 * @example
 * botEndpointPolicy(loadConfig({ NODE_ENV: 'production', ... })); // { kind: 'closed' } without MicrosoftAppId
 */
export function botEndpointPolicy(config: Pick<Config, 'env' | 'botAuth' | 'edge'>): BotEndpointPolicy {
  if (config.botAuth.appId) return { kind: 'authenticated', appId: config.botAuth.appId, serviceUrlHosts: config.edge.botServiceUrlHosts };
  return config.env === 'production' ? { kind: 'closed' } : { kind: 'open' };
}

/**
 * botbuilder's view of an HTTP response (`status`, `header`, `send`, `end`), recorded rather than
 * sent, so that the route decides what the client gets.
 */
export class RecordedResponse {
  statusCode = 200;
  body: unknown = undefined;
  readonly headers: Record<string, unknown> = {};

  constructor(readonly socket: unknown) {}

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: unknown): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  /** `send(body)` as botbuilder calls it, or restify's `send(status, body)`. */
  send(...args: unknown[]): this {
    const [first, second] = args;
    if (args.length >= 2 && typeof first === 'number') {
      this.statusCode = first;
      this.body = second;
    } else this.body = first;
    return this;
  }

  end(): this {
    return this;
  }
}
