/**
 * `edi.resend`: queues a document the dispatcher gave up on (dead, or refused by the
 * partner) again, as it was (same ISA13 and GS06), with a fresh count of attempts. The
 * undeliverable-document case's action `resend` runs it.
 *
 * Idempotency: only a `dead` or `failed` document is changed; a repeat of the step finds it
 * `pending` (or already `sent`) and changes nothing.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import type { Database } from '../../store/index.ts';
import { dynamic, type StepType } from '../../workflows/index.ts';
import { resendDocument } from './store.ts';

const ResendConfig = z.strictObject({
  document_id: dynamic(z.string().regex(/^\d{1,18}$/, 'a document id (digits)')),
});
type ResendConfig = z.output<typeof ResendConfig>;

export function resendDocumentStep(deps: {
  db: () => Kysely<Database> | null;
  queued(): void;
}): StepType<ResendConfig> {
  return {
    type: 'edi.resend',
    description:
      'Queues an EDI document given up on (dead or refused) again, as it was; output { document_id, status, resent }',
    config: ResendConfig as z.ZodType<ResendConfig>,
    sideEffect: true,
    ownIdempotency: 'changes only a dead or failed document',
    async execute(ctx, config) {
      const db = deps.db();
      const id = config.document_id as string;
      if (!db)
        throw new CrossdockError('EDI_PARTNER_UNKNOWN', 'edi.resend runs only with a store', {
          category: 'user',
          retryable: false,
        });
      const row = await resendDocument(db, id, ctx.now());
      if (!row)
        throw new CrossdockError('EDI_DOCUMENT_UNKNOWN', `No EDI document ${id} in the outbox`, {
          category: 'user',
          retryable: false,
        });
      if (row.resent) deps.queued();
      return {
        kind: 'done',
        output: { document_id: id, status: row.status, resent: row.resent },
      };
    },
    describe: (c) =>
      `would queue EDI document ${typeof c.document_id === 'string' ? c.document_id : ''} again`,
  };
}
