// One owner for the HTTP server's 'upgrade' event. restify re-emits 'upgrade' on itself, so the node
// server always has a listener and never closes an upgrade nobody takes: before this dispatcher a
// WebSocket handshake on an unknown path stayed open forever. Endpoints register the paths they
// serve; any other upgrade is answered and its socket destroyed at once.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpError, type HttpErrorCode } from './http-errors';

/** Takes an upgrade the dispatcher routed to it; it owns the socket from then on. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

interface Registration {
  readonly matches: (pathname: string) => boolean;
  readonly handler: UpgradeHandler;
}

/**
 * Routes WebSocket upgrades by path to the endpoint that registered it; refuses the rest.
 *
 * @example
 * const unregister = upgradeDispatcher(server.server).register((path) => path === '/api/operator/ws', onUpgrade);
 * // at shutdown
 * unregister();
 */
export class UpgradeDispatcher {
  private readonly registrations: Registration[] = [];

  constructor(httpServer: HttpServer) {
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.dispatch(req, socket, head));
  }

  /** Sends upgrades whose path `matches` to `handler`; returns the function that stops it. */
  register(matches: (pathname: string) => boolean, handler: UpgradeHandler): () => void {
    const registration: Registration = { matches, handler };
    this.registrations.push(registration);
    return () => {
      const index = this.registrations.indexOf(registration);
      if (index >= 0) this.registrations.splice(index, 1);
    };
  }

  private dispatch(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The HTTP server stops watching a socket once it is upgraded: an error (a reset) here would be
    // unhandled and end the process.
    socket.on('error', () => socket.destroy());
    // Whoever refuses with socket.end() leaves the socket half-open until the client closes its
    // side; once our side is finished, nothing more is to be said on it.
    socket.once('finish', () => socket.destroy());
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || req.method !== 'GET') {
      return refuseUpgrade(socket, 400, 'INVALID_REQUEST');
    }
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return refuseUpgrade(socket, 400, 'INVALID_REQUEST');
    }
    const registration = this.registrations.find((r) => r.matches(pathname));
    if (!registration) return refuseUpgrade(socket, 404, 'NOT_FOUND');
    registration.handler(req, socket, head);
  }
}

const dispatchers = new WeakMap<HttpServer, UpgradeDispatcher>();

/** The dispatcher of `httpServer`, made on first use (createServer makes it, so no upgrade goes unanswered). */
export function upgradeDispatcher(httpServer: HttpServer): UpgradeDispatcher {
  let dispatcher = dispatchers.get(httpServer);
  if (!dispatcher) {
    dispatcher = new UpgradeDispatcher(httpServer);
    dispatchers.set(httpServer, dispatcher);
  }
  return dispatcher;
}

/** Answers a refused upgrade with a plain HTTP error, the catalogue's JSON body, and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, code: HttpErrorCode): void {
  const body = JSON.stringify(httpError(code).body);
  socket.end(`HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
