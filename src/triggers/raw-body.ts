import type { FastifyInstance } from 'fastify';
import { CrossdockError } from '../errors/index.ts';

/**
 * Makes a Fastify scope read JSON bodies as the raw bytes sent (signatures are computed over
 * those bytes, so nothing may parse or re-encode them first) and refuse other content types.
 */
export function acceptRawJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const raw = (_req: unknown, body: string | Buffer, done: (error: null, body: Buffer) => void) =>
    done(null, body as Buffer);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw);
  app.addContentTypeParser(/^application\/[a-z0-9.-]+\+json$/, { parseAs: 'buffer' }, raw);
  app.addContentTypeParser('*', (_req, _payload, done) =>
    done(
      new CrossdockError('CONTENT_TYPE_UNSUPPORTED', 'Send JSON (content-type: application/json)', {
        category: 'user',
        retryable: false,
      }),
      undefined,
    ),
  );
}
