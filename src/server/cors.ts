// CORS for what the city's portal loads from Dialogo, another origin: the widget, the Web Chat
// bundle and Direct Line. Preflights are answered here, before routing and body reading (an OPTIONS
// without a body used to reach the JSON body parser and get 415, and the chat never connected).
import type { Request, Response } from 'restify';
import { sendError } from './http-errors';

/**
 * Request headers the official client sends: botframework-directlinejs adds Authorization and
 * x-ms-bot-agent to every call and Content-Type to posts, and its RxJS ajax adds X-Requested-With;
 * Accept is listed though browsers never preflight it.
 */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-ms-bot-agent', 'x-requested-with', 'accept'] as const;

/** How long a browser may reuse a preflight answer, in seconds (Chromium caps it at 7,200). */
export const CORS_MAX_AGE_SECONDS = 600;

/** Which origins may call, and on which paths. */
export interface CorsOptions {
  /** Origins (`scheme://host[:port]`) allowed; `'any'` reflects every origin (outside production only, see config). */
  readonly allowedOrigins: readonly string[] | 'any';
  /** Paths served to other origins: an entry ending in `/` covers everything under it, others are exact. */
  readonly paths: readonly string[];
}

/**
 * A restify `pre` handler. On the covered paths: a request whose Origin is allowed gets
 * `Access-Control-Allow-Origin` with that origin (never `*`: the answer names who may read it);
 * a preflight from an allowed origin is answered 204 at once, from any other origin 403 with no
 * CORS headers; a request without Origin (same origin, or not a browser) gets no CORS headers.
 * Credentials travel in the Authorization header, never in cookies, so none are allowed.
 *
 * @example
 * server.pre(corsHandler({ allowedOrigins: ['https://www.comune.milano.it'], paths: ['/v3/directline/', '/widget.js'] }));
 */
export function corsHandler(options: CorsOptions): (req: Request, res: Response, next: (err?: false) => void) => void {
  const allowed = options.allowedOrigins === 'any' ? 'any' : new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  const covers = (path: string) => options.paths.some((p) => (p.endsWith('/') ? path.startsWith(p) || path === p.slice(0, -1) : path === p));
  return (req, res, next) => {
    if (!covers(req.getPath())) return next();
    // The answer depends on Origin: caches (the city's CDN, the browser) must keep one per origin.
    res.header('Vary', 'Origin');
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (typeof origin !== 'string') return next();
    const permitted = allowed === 'any' || allowed.has(origin.toLowerCase());
    if (preflight) {
      if (!permitted) {
        sendError(res, 'ORIGIN_NOT_ALLOWED');
        return next(false);
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST');
      res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS.join(', '));
      res.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE_SECONDS));
      res.send(204);
      return next(false);
    }
    if (permitted) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      // A widget told to slow down can read when to try again.
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    }
    next();
  };
}
