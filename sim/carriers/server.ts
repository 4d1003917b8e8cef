/**
 * The HTTP server of the carrier simulator (node:http, 127.0.0.1, a free port). It can
 * answer, drop the connection at once (reset), or hold a request without answering until
 * the client gives up (a timeout as the client sees it), then drop it.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { SimAnswer } from './api.ts';

export type Outcome =
  { kind: 'answer'; answer: SimAnswer } | { kind: 'hold'; holdMs: number } | { kind: 'reset' };
export type Handler = (request: {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}) => Promise<Outcome>;

export class CarrierSimServer {
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #held = new Set<() => void>();

  constructor(handler: Handler) {
    this.#server = http.createServer(
      (request, response) => void this.#serve(handler, request, response),
    );
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async #serve(
    handler: Handler,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const outcome = await handler({
        method: request.method ?? 'GET',
        url: new URL(request.url ?? '/', 'http://127.0.0.1'),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (outcome.kind === 'hold') await this.#hold(request.socket, outcome.holdMs);
      if (outcome.kind !== 'answer') {
        request.socket.destroy();
        return;
      }
      response.writeHead(outcome.answer.status, outcome.answer.headers).end(outcome.answer.body);
    } catch (error) {
      response
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(`simulator failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Until the client closes the connection, holdMs passes, or the server closes. */
  #hold(socket: Socket, holdMs: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        socket.off('close', release);
        this.#held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, holdMs);
      socket.once('close', release);
      this.#held.add(release);
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const release of [...this.#held]) release();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
