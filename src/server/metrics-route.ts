import type { Request, Response, Server } from 'restify';
import { sameSecret } from './constant-time';
import { sendError } from './http-errors';
import type { DialogoMetrics } from './metrics';

/**
 * `GET /metrics` in Prometheus's text format. With METRICS_TOKEN set, the scraper must send it
 * as `Authorization: Bearer`; without, the route is open and belongs inside the city's network.
 *
 * @example
 * mountMetrics(server, metrics, config.metricsToken);
 */
export function mountMetrics(server: Server, metrics: DialogoMetrics, token: string | undefined): void {
  server.get('/metrics', async (req: Request, res: Response) => {
    if (token) {
      const header = req.headers.authorization;
      const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!sameSecret(given, token)) return sendError(res, 'FORBIDDEN', ['/metrics needs METRICS_TOKEN as a Bearer token']);
    }
    const { contentType, body } = await metrics.render();
    res.header('content-type', contentType);
    res.sendRaw(200, body);
  });
}
