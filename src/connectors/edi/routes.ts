/**
 * POST /hooks/edi/:partner: a partner's interchange over plain HTTPS, the body being the X12
 * text as sent, signed with an HMAC-SHA256 of those bytes in a header (the project's webhook
 * verifier, with the partner's own secret). Order: authenticate the raw bytes, then read and
 * act (src/connectors/edi/inbound.ts); 200 only after the interchange, its replies and its
 * events are stored. A refused delivery stores nothing.
 */
import type { FastifyPluginAsync } from 'fastify';
import { CrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import { verifyBodyHmac, webhookRefused, type Verdict } from '../../triggers/index.ts';
import type { EdiPartner } from './config.ts';
import { receiveInterchange, type InboundDeps, type ReceiveOutcome } from './inbound.ts';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** Content types partners send X12 as; the body is kept as the bytes sent. */
const X12_CONTENT_TYPES = [
  'application/edi-x12',
  'application/edi',
  'text/plain',
  'application/octet-stream',
];

export interface EdiRouteDeps extends InboundDeps {
  partner(code: string): EdiPartner | undefined;
  logger: Logger;
}

export async function receiveEdiDelivery(
  deps: EdiRouteDeps,
  code: string,
  rawBody: Buffer,
  headers: HeaderBag,
): Promise<ReceiveOutcome> {
  const partner = deps.partner(code);
  // A partner that uses its folder only has no HTTP door: refused like an unknown one.
  const door = partner?.inbound ?? null;
  const header = door?.signatureHeader.toLowerCase();
  const value = header === undefined ? undefined : headers[header];
  const verdict: Verdict = door
    ? verifyBodyHmac(rawBody, door.secret, {
        value: typeof value === 'string' ? value : undefined,
        header: door.signatureHeader,
        encoding: 'hex-or-base64',
      })
    : { ok: false, code: 'HOOK_UNAUTHORIZED', message: 'Unknown partner or wrong signature' };
  if (!verdict.ok) {
    deps.logger.warn({ partner: code.slice(0, 40), code: verdict.code }, 'EDI delivery refused');
    throw webhookRefused(verdict);
  }
  const outcome = await receiveInterchange(deps, partner!, rawBody.toString('utf8'));
  deps.logger.info(
    {
      partner: code,
      interchange: outcome.interchange,
      status: outcome.status,
      duplicate: outcome.duplicate,
    },
    'EDI interchange received',
  );
  return outcome;
}

export function ediRoutes(deps: EdiRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    const raw = (_req: unknown, body: string | Buffer, done: (error: null, body: Buffer) => void) =>
      done(null, body as Buffer);
    for (const type of X12_CONTENT_TYPES)
      app.addContentTypeParser(type, { parseAs: 'buffer' }, raw);
    app.addContentTypeParser('*', (_req, _payload, done) =>
      done(
        new CrossdockError(
          'CONTENT_TYPE_UNSUPPORTED',
          `Send the X12 interchange as ${X12_CONTENT_TYPES.join(', ')}`,
          { category: 'user', retryable: false },
        ),
        undefined,
      ),
    );
    app.post<{ Params: { partner: string } }>('/hooks/edi/:partner', async (request, reply) => {
      const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
      const outcome = await receiveEdiDelivery(deps, request.params.partner, body, request.headers);
      return reply.status(200).send(outcome);
    });
  };
}
