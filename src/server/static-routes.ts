// The portal pages: the demo page (`/`), the embeddable widget (`/widget.js`) and the official
// Web Chat bundle, served from the installed `botframework-webchat` package (no CDN anywhere).
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { pageSecurityHeaders, type PageKind } from './security-headers';

/** Where the page files live: `src/web` under the project root, whether running from src/ (ts) or dist/ (js). */
export function webDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'src', 'web');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`src/web not found above ${__dirname}`);
    dir = parent;
  }
}

/** The Web Chat bundle (full build: it renders Markdown, so links in answers are clickable). */
export function webChatBundlePath(): string {
  // The package's `exports` hide package.json and dist/; its main entry sits in lib/, beside dist/.
  return path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
}

/** The installed Web Chat version, part of the bundle's long-cached URL. */
export function webChatVersion(): string {
  const pkg = path.join(path.dirname(webChatBundlePath()), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  readonly file: string;
  readonly cacheControl: string;
  /** A page, with the security headers of its kind. */
  readonly page?: PageKind;
  /** Text substitutions applied once, when the file is first read. */
  readonly substitute?: Record<string, string>;
}

/** A file as served: read once, gzipped once. */
interface Loaded {
  readonly body: Buffer;
  readonly gzipped: Buffer;
}

const gzipAsync = promisify(gzip);

/**
 * Mounts `GET /`, `/index.html`, `/widget.js`, `/portal.css`, `/portal.js` and `/webchat/webchat.js`
 * (plus the versioned `/webchat/<version>/webchat.js`, cacheable for a year).
 * Files are read on first request and kept in memory, with a gzip copy.
 */
export function mountStaticRoutes(server: Server, options: { dir?: string } = {}): void {
  const dir = options.dir ?? webDir();
  const short = 'public, max-age=300';
  const long = 'public, max-age=31536000, immutable';
  const version = webChatVersion();
  const bundle = webChatBundlePath();
  const assets: Record<string, Asset> = {
    '/': { file: path.join(dir, 'index.html'), cacheControl: 'no-cache', page: 'portal' },
    '/index.html': { file: path.join(dir, 'index.html'), cacheControl: 'no-cache', page: 'portal' },
    '/widget.js': { file: path.join(dir, 'widget.js'), cacheControl: short, substitute: { __WEBCHAT_VERSION__: version } },
    '/portal.css': { file: path.join(dir, 'portal.css'), cacheControl: short },
    '/portal.js': { file: path.join(dir, 'portal.js'), cacheControl: short },
    '/console-common.css': { file: path.join(dir, 'console-common.css'), cacheControl: 'no-cache' },
    '/console-common.js': { file: path.join(dir, 'console-common.js'), cacheControl: 'no-cache' },
    '/operator': { file: path.join(dir, 'operator.html'), cacheControl: 'no-cache', page: 'console' },
    '/operator.js': { file: path.join(dir, 'operator.js'), cacheControl: 'no-cache' },
    '/operator.css': { file: path.join(dir, 'operator.css'), cacheControl: 'no-cache' },
    '/operator-alerts.js': { file: path.join(dir, 'operator-alerts.js'), cacheControl: 'no-cache' },
    '/operator-workspace.js': { file: path.join(dir, 'operator-workspace.js'), cacheControl: 'no-cache' },
    '/operator-keys.js': { file: path.join(dir, 'operator-keys.js'), cacheControl: 'no-cache' },
    '/operator-requests.js': { file: path.join(dir, 'operator-requests.js'), cacheControl: 'no-cache' },
    '/operator-requests.css': { file: path.join(dir, 'operator-requests.css'), cacheControl: 'no-cache' },
    '/dashboard': { file: path.join(dir, 'dashboard.html'), cacheControl: 'no-cache', page: 'console' },
    '/dashboard.js': { file: path.join(dir, 'dashboard.js'), cacheControl: 'no-cache' },
    '/dashboard.css': { file: path.join(dir, 'dashboard.css'), cacheControl: 'no-cache' },
    '/dashboard-comms.js': { file: path.join(dir, 'dashboard-comms.js'), cacheControl: 'no-cache' },
    '/dashboard-outlook.js': { file: path.join(dir, 'dashboard-outlook.js'), cacheControl: 'no-cache' },
    '/dashboard-live.js': { file: path.join(dir, 'dashboard-live.js'), cacheControl: 'no-cache' },
    '/dashboard-monthly.js': { file: path.join(dir, 'dashboard-monthly.js'), cacheControl: 'no-cache' },
    '/dashboard-channels.js': { file: path.join(dir, 'dashboard-channels.js'), cacheControl: 'no-cache' },
    // Chart.js for the dashboard, from the installed package (no CDN).
    '/vendor/chart.umd.js': { file: path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'), cacheControl: 'public, max-age=86400' },
    '/webchat/webchat.js': { file: bundle, cacheControl: 'public, max-age=86400' },
    [`/webchat/${version}/webchat.js`]: { file: bundle, cacheControl: long },
  };
  // One copy of each file however many routes serve it (the Web Chat bundle has two), read and
  // gzipped off the event loop: the bundle is 5 MB, whose gzip on the loop stalled every turn for
  // a third of a second on the first widget load after a start. A failed read is not kept.
  const loaded = new Map<string, Promise<Loaded>>();
  const loadOnce = (asset: Asset): Promise<Loaded> => {
    const key = `${asset.file}\n${JSON.stringify(asset.substitute ?? {})}`;
    let entry = loaded.get(key);
    if (!entry) {
      entry = load(asset);
      loaded.set(key, entry);
      entry.catch(() => loaded.delete(key));
    }
    return entry;
  };
  for (const [route, asset] of Object.entries(assets)) {
    const handler = async (req: Request, res: Response) => {
      const file = await loadOnce(asset);
      const type = TYPES[path.extname(asset.file)] ?? 'application/octet-stream';
      const gzipped = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      let body = file.body;
      if (gzipped) {
        body = file.gzipped;
        res.header('Content-Encoding', 'gzip');
      }
      res.header('Vary', 'Accept-Encoding');
      res.header('Cache-Control', asset.cacheControl);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (asset.page) for (const [name, value] of Object.entries(pageSecurityHeaders(asset.page))) res.setHeader(name, value);
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
      res.end(body);
    };
    server.get(route, handler);
    server.head(route, handler);
  }
}

async function load(asset: Asset): Promise<Loaded> {
  let body = await readFile(asset.file);
  if (asset.substitute) {
    let text = body.toString('utf8');
    for (const [from, to] of Object.entries(asset.substitute)) text = text.split(from).join(to);
    body = Buffer.from(text, 'utf8');
  }
  return { body, gzipped: await gzipAsync(body) };
}
