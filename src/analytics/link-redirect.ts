import type { Request, Response, Server } from 'restify';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { Coordinator } from '../cluster/coordinator';
import { clientAddress } from '../server/client-address';
import { GO_PATH, OVERVIEW_SEGMENT, answerLinks } from '../knowledge/answer-links';
import { PORTAL_HOME_PAGE } from '../knowledge/topic-links';
import type { InteractionEvent } from '../storage/interaction-event';
import { linkClickEvent } from './analytics-events';

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID = 100;
/**
 * Channels a click is counted under; any other value counts as `other`, so that a hand-written
 * link cannot add rollup keys at will.
 */
const CHANNELS: ReadonlySet<string> = new Set(['directline', 'webchat', 'facebook', 'messenger', 'msteams', 'emulator', 'test']);
/**
 * Link-preview fetchers and crawlers: Messenger fetches every link of a message to draw its
 * preview, and that is not a citizen's click. They are redirected all the same, not counted.
 */
const NOT_A_CITIZEN = /bot|crawl|spider|preview|facebookexternalhit|facebot|whatsapp|slurp|embedly|quora link|pinterest|vkshare|w3c_validator|headless/i;

/** Clicks counted per client address and minute: a citizen opens a few links; a script opening thousands adds rows, not information. */
export const COUNTED_CLICKS_PER_MINUTE = 30;

export interface LinkRedirectDependencies {
  readonly runtime: () => KnowledgeRuntime;
  /** Shares the per-address window of counted clicks across instances. */
  readonly coordinator: Coordinator;
  readonly trustProxyHops: number;
  /** Where the click events go (the recorder and the aggregator: src/index.ts). */
  readonly record: (event: InteractionEvent) => void;
  readonly now?: () => Date;
}

/**
 * `GET /go/<topicId>/<facetId|overview>?to=<index>&ch=<channel>&lang=<it|en>`: a 302 to the
 * `to`-th page of that answer as the knowledge base holds it now (answerLinks), and a click
 * counted per topic, facet, channel and language. Never an address from the request: an unknown
 * topic, facet or index gets a 404 page that sends the citizen to the portal, so the route is no
 * open redirect. Nothing about the citizen is read or stored: no cookie is set, the URL holds no
 * personal data, and the event has no conversation. HEAD, prefetches and link-preview fetchers
 * are redirected without counting, and so are clicks past {@link COUNTED_CLICKS_PER_MINUTE} from
 * one address (a public route must not let a script write events without bound).
 *
 * @example
 * mountLinkRedirect(server, { runtime: () => holder.current(), record: (e) => { recorder.record(e); aggregator.observe(e); } });
 */
export function mountLinkRedirect(server: Server, deps: LinkRedirectDependencies): void {
  const handle = (counted: boolean) => async (req: Request, res: Response): Promise<void> => {
    const params = (req.params ?? {}) as Record<string, unknown>;
    const topicId = typeof params.topicId === 'string' ? params.topicId : '';
    const facetSegment = typeof params.facetId === 'string' ? params.facetId : '';
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const to = query.getAll('to');
    const index = to.length === 1 && /^\d{1,2}$/.test(to[0] ?? '') ? Number(to[0]) : -1;
    const topic = topicId.length <= MAX_ID && ID.test(topicId) ? deps.runtime().kb.get(topicId) : undefined;
    const facet = topic && facetSegment !== OVERVIEW_SEGMENT && facetSegment.length <= MAX_ID && ID.test(facetSegment) ? topic.facets.find((f) => f.id === facetSegment) : undefined;
    const known = topic !== undefined && (facetSegment === OVERVIEW_SEGMENT || facet !== undefined);
    const target = known ? answerLinks(topic, facet)[index] : undefined;
    if (!topic || !target) return notFound(res);
    const agent = req.headers['user-agent'];
    const prefetch = /prefetch|prerender/i.test(`${req.headers.purpose ?? ''} ${req.headers['sec-purpose'] ?? ''}`);
    // Over the limit the citizen is still redirected; the click is only not counted (nor stored).
    if (
      counted &&
      !prefetch &&
      !(typeof agent === 'string' && NOT_A_CITIZEN.test(agent)) &&
      (await deps.coordinator.consume(`go:${clientAddress(req, deps.trustProxyHops)}`, COUNTED_CLICKS_PER_MINUTE, 60_000).catch(() => ({ allowed: false }))).allowed
    ) {
      const ch = query.get('ch') ?? '';
      const lang = query.get('lang');
      deps.record(
        linkClickEvent({ topicId: topic.id, facetId: facet?.id ?? null, channel: CHANNELS.has(ch) ? ch : 'other', language: lang === 'en' ? 'en' : 'it', at: (deps.now ?? (() => new Date()))() }),
      );
    }
    res.setHeader('location', target);
    // Every click must reach the server to be counted, and the redirect may change with the knowledge base.
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    res.writeHead(302);
    res.end();
  };
  server.get(`${GO_PATH}/:topicId/:facetId`, handle(true));
  server.head(`${GO_PATH}/:topicId/:facetId`, handle(false));
}

function notFound(res: Response): void {
  const page = `<!doctype html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Pagina non trovata - Comune di Milano</title></head>
<body><main>
<h1>Questo collegamento non porta a nessuna pagina</h1>
<p>Il collegamento è incompleto o la risposta che lo conteneva è stata aggiornata. Trovi i servizi del Comune sul <a href="${PORTAL_HOME_PAGE}">portale del Comune di Milano</a>, oppure chiedi di nuovo all’assistente.</p>
<p lang="en">This link leads nowhere: it is incomplete, or the answer it came from has changed. The City’s services are on the <a href="${PORTAL_HOME_PAGE}">City of Milan’s portal</a>; or ask the assistant again.</p>
</main></body></html>
`;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.writeHead(404);
  res.end(page);
}
