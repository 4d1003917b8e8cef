/**
 * The HTTP server of the simulator (node:http, 127.0.0.1). Transport faults are applied
 * here, before Odoo sees the request: refused connections (the listener is closed and
 * open sockets are dropped), reset sockets, proxy-style 502/503/504 pages and latency.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FaultInjector } from './faults.ts';
import { htmlResponse, type SimRequest, type SimResponse } from './protocols/http-types.ts';

export type RequestHandler = (request: SimRequest) => Promise<SimResponse>;

const PROXY_PAGES: Record<502 | 503 | 504, string> = {
  502: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
  503: '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n',
  504: '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n',
};

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function toSimRequest(request: http.IncomingMessage, body: string): SimRequest {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const mimeType =
    String(request.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase() ?? '';
  return {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: request.headers,
    mimeType,
    body,
  };
}

export class SimServer {
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #faults: FaultInjector;
  #port = 0;

  constructor(handler: RequestHandler, faults: FaultInjector) {
    this.#faults = faults;
    this.#server = http.createServer(
      (request, response) => void this.#serve(handler, request, response),
    );
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  get port(): number {
    return this.#port;
  }

  async #serve(
    handler: RequestHandler,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    try {
      const body = await readBody(request);
      const fault = this.#faults.takeRequestFault();
      if (fault === 'reset') {
        request.socket.destroy();
        return;
      }
      if (this.#faults.latencyMs > 0)
        await new Promise((resolve) => setTimeout(resolve, this.#faults.latencyMs));
      const answer =
        fault === null
          ? await handler(toSimRequest(request, body))
          : htmlResponse(fault, PROXY_PAGES[fault]);
      response.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (error) {
      response
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(`simulator failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        this.#port = typeof address === 'object' && address !== null ? address.port : port;
        resolve(this.#port);
      });
    });
  }

  /** Stops accepting connections and drops open ones: clients get ECONNREFUSED. */
  async refuseConnections(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Listens again on the same port after refuseConnections(). */
  async acceptConnections(): Promise<void> {
    if (!this.#server.listening) await this.listen(this.#port);
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await this.refuseConnections();
  }
}
