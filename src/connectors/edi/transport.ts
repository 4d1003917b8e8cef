/**
 * The outbound transport port: the one place a queued document is handed to the partner.
 * `deliver` resolves when the partner has the document (an HTTP 2xx, a file renamed into its
 * outbox) and throws a CrossdockError saying whether a retry can help (retryable) or not (a
 * refusal). The dispatcher owns retries, backoff and the outbox's states; a transport owns
 * only the hand-over. HTTP and the watched folder are the two today; AS2 would be a third.
 *
 * Idempotency: the dispatcher may hand the same document over again after a crash between
 * the hand-over and its record. It is the same bytes (same ISA13 and GS06), under the same
 * name (`x-crossdock-document` header, or file name), so the partner drops the repeat as a
 * duplicate interchange, and a file written again replaces itself.
 */
import { createHmac } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CrossdockError } from '../../errors/index.ts';
import { privateDirectory } from '../../store/index.ts';
import type { EdiFolders, EdiPartner } from './config.ts';

export interface OutgoingDocument {
  id: string;
  dedupeKey: string;
  transactionSet: string;
  interchangeControl: number;
  body: string;
}

export interface OutboundTransport {
  /** Where the documents go, for messages and logs (never a secret). */
  readonly where: string;
  deliver(doc: OutgoingDocument): Promise<void>;
}

export function signEdiBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function transportFor(partner: EdiPartner): OutboundTransport {
  if (partner.folder) return folderTransport(partner.code, partner.folder);
  if (partner.outbound) return httpTransport(partner.code, partner.outbound);
  throw new CrossdockError(
    'EDI_PARTNER_UNKNOWN',
    `Partner ${partner.code} has neither an outbound URL nor a folder to send documents to`,
    { category: 'user', retryable: false },
  );
}

/** POSTs the interchange, signed with an HMAC-SHA256 of the body under our secret for them. */
export function httpTransport(
  code: string,
  outbound: NonNullable<EdiPartner['outbound']>,
): OutboundTransport {
  const where = `partner ${code} (${new URL(outbound.url).host})`;
  return {
    where,
    async deliver(doc) {
      let response: Response;
      try {
        response = await fetch(outbound.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/edi-x12',
            [outbound.signatureHeader]: signEdiBody(outbound.secret, doc.body),
            'x-crossdock-document': doc.dedupeKey,
          },
          body: doc.body,
          signal: AbortSignal.timeout(outbound.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
      } catch (cause) {
        throw new CrossdockError(
          'EDI_DELIVERY_UNAVAILABLE',
          `${where} could not be reached: ${(cause as Error).name === 'TimeoutError' ? `no answer within ${outbound.timeoutMs} ms` : (cause as Error).message}`,
          { category: 'transient', retryable: true, cause },
        );
      }
      if (response.ok) return;
      const status = response.status;
      const retryAfterS = Number(response.headers.get('retry-after'));
      if (status === 408 || status === 429 || status >= 500)
        throw new CrossdockError('EDI_DELIVERY_UNAVAILABLE', `${where} answered HTTP ${status}`, {
          category: 'transient',
          retryable: true,
          ...(Number.isFinite(retryAfterS) && retryAfterS > 0
            ? { retryAfterMs: retryAfterS * 1000 }
            : {}),
        });
      throw new CrossdockError(
        'EDI_DELIVERY_REJECTED',
        `${where} refused the document: HTTP ${status}`,
        { category: 'user', retryable: false },
      );
    },
  };
}

/** The file name of a document in the outbox: its ISA13 and transaction set, never reused. */
export function outboxFileName(
  doc: Pick<OutgoingDocument, 'interchangeControl' | 'transactionSet'>,
): string {
  return `${String(doc.interchangeControl).padStart(9, '0')}.${doc.transactionSet}.x12`;
}

/**
 * Writes the interchange into the partner's outbox whole: first under a temporary name that
 * starts with "." (what the partner's pick-up must skip), flushed to disk, then renamed to
 * its name, so the partner never sees half a document. Files are 0600; a missing outbox is
 * created 0700. A failure (disk full, folder unmounted, no permission) is retryable: the
 * operator can fix it before the attempts run out.
 */
export function folderTransport(code: string, folder: EdiFolders): OutboundTransport {
  const where = `partner ${code} (outbox ${folder.outbox})`;
  return {
    where,
    async deliver(doc) {
      const name = outboxFileName(doc);
      const temporary = join(folder.outbox, `.${name}.${doc.id}.tmp`);
      try {
        privateDirectory(folder.outbox);
        const fd = openSync(temporary, 'w', 0o600);
        try {
          writeSync(fd, doc.body);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(temporary, join(folder.outbox, name));
      } catch (cause) {
        try {
          rmSync(temporary, { force: true });
        } catch {
          // The outbox itself is what failed (not a folder, gone): there is no temporary file.
        }
        throw new CrossdockError(
          'EDI_DELIVERY_UNAVAILABLE',
          `${where}: could not write ${name}: ${(cause as Error).message}`,
          { category: 'transient', retryable: true, cause },
        );
      }
    },
  };
}
