// A look at a Bot Framework bearer token before botbuilder verifies it. botbuilder fetches the
// channel's signing keys to check a signature, and a key it cannot fetch surfaces as a 500 with the
// network error as body; tokens that cannot be for this bot are refused here, with no network at
// all. Nothing here is trusted: a token that passes still goes through botbuilder's full check.
import { z } from 'zod';

/** The algorithms botframework-connector accepts for channel, emulator and skill tokens. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'] as const;
/** The clock skew botframework-connector tolerates. */
const CLOCK_TOLERANCE_SEC = 5 * 60;

const headerSchema = z.object({ alg: z.enum(ALGORITHMS) });
const claimsSchema = z.object({
  exp: z.number(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  appid: z.string().optional(),
  azp: z.string().optional(),
});

/**
 * Whether `authorization` could be a Bot Framework token for `appId`: `Bearer` and a JWT signed
 * with RS256/384/512, not expired, naming the app id as audience (channels and skills) or as
 * `appid`/`azp` (the Emulator), which botbuilder requires anyway.
 *
 * @example
 * plausibleBotToken(req.headers.authorization, config.botAuth.appId, Date.now()); // false for 'Bearer abc'
 */
export function plausibleBotToken(authorization: unknown, appId: string, nowMs: number): boolean {
  if (typeof authorization !== 'string') return false;
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization);
  if (!match?.[1] || !match[2]) return false;
  const header = headerSchema.safeParse(decodeSegment(match[1]));
  const claims = claimsSchema.safeParse(decodeSegment(match[2]));
  if (!header.success || !claims.success) return false;
  if (claims.data.exp + CLOCK_TOLERANCE_SEC < nowMs / 1000) return false;
  const audiences = claims.data.aud === undefined ? [] : [claims.data.aud].flat();
  return audiences.includes(appId) || claims.data.appid === appId || claims.data.azp === appId;
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
