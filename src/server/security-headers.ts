// Security headers: a baseline on every response, and a Content-Security-Policy per page. Each
// page's policy allows what it was seen to need in Chromium with no violation
// (tests/web/content-security-policy.test.ts) and nothing else.
import type { Request, Response } from 'restify';

/** The pages Dialogo serves, each with its own policy. */
export type PageKind = 'portal' | 'console';

/** `'self'` covers ws:/wss: to the same host (CSP Level 3), so Direct Line's stream needs no more. */
const PAGE_POLICIES: Record<PageKind, string> = {
  // The demo portal with Web Chat: Web Chat (emotion) and the widget inject <style> elements, so
  // styles need 'unsafe-inline'; scripts stay 'self' only. Avatars and icons are data: and blob: URLs.
  portal: [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  // The operator console and the dashboard: own scripts and styles only (Chart.js sizes its canvas
  // through the CSSOM, which style-src does not govern).
  console: [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};

/** For anything that is not a page (JSON, scripts, styles): nothing to load, never framed. */
const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The headers of a page of `kind` (complete, also where the page is served without the baseline
 * handler): its Content-Security-Policy, and X-Frame-Options DENY for
 * browsers that predate `frame-ancestors` (no Dialogo page is ever meant to be framed: the
 * console and the dashboard inside another site's frame invite clickjacking).
 *
 * @example
 * for (const [name, value] of Object.entries(pageSecurityHeaders('console'))) res.setHeader(name, value);
 */
export function pageSecurityHeaders(kind: PageKind): Record<string, string> {
  return { 'Content-Security-Policy': PAGE_POLICIES[kind], 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff' };
}

/**
 * A restify `pre` handler setting the baseline on every response, errors and unknown routes
 * included: no MIME sniffing, no Referer sent anywhere (no Dialogo URL is worth telling another
 * site about), a policy that loads nothing, and no framing. Pages replace the policy with theirs.
 *
 * @example
 * server.pre(securityHeaders());
 */
export function securityHeaders(): (req: Request, res: Response, next: () => void) => void {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Content-Security-Policy', NON_PAGE_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  };
}
