import { z } from 'zod';
import { CrossdockError } from '../../../errors/index.ts';
import { dynamic, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import { recordVersion } from './hint.ts';

const RereadConfig = z.strictObject({
  connection: z.string().min(1),
  model: dynamic(z.string().min(1)),
  id: dynamic(z.int().positive()),
  fields: z.array(z.string().min(1)).min(1),
  domain: z.array(z.unknown()).default([]),
  /** write_date the hint announced (microseconds allowed), or null. */
  hint_write_date: dynamic(z.string()).nullable().default(null),
  /** When the hint arrived (ISO); the settle window counts from here. */
  received_at: dynamic(z.string()),
  settle_ms: z.int().min(0),
});
type RereadConfig = z.infer<typeof RereadConfig>;

export type RereadOutcome =
  | {
      visible: true;
      matches: boolean;
      record: Record<string, unknown>;
      write_date: string;
      /** write_date and a digest of the values: the event key's version (see recordVersion). */
      version: string;
      reason?: string;
    }
  | { visible: false; reason: string };

/**
 * Turns an Odoo webhook hint into a fact. Odoo sends the hint inside the user's
 * transaction, before commit, so the change may not be visible yet, or ever (rolled
 * back). "Visible" means the committed record is at least as new as the hint: Odoo keeps
 * write_date to the microsecond and the hint carries them, but RPC reads show whole
 * seconds, so a draft committed in the confirmation's second reads exactly like it. The
 * step therefore asks Odoo, whose domains compare at full precision, for the record with
 * `write_date >= <the hint's write_date>`. While the settle window lasts, a record that is
 * missing or older than the hint is retried (a retryable error, so the engine backs off and
 * holds no worker); after it, the hint is dropped with its reason. A record as new as the
 * hint that no longer matches the watch domain was changed again since: reported, not emitted.
 */
export function rereadStep(clients: (connection: string) => OdooClient): StepType<RereadConfig> {
  return {
    type: 'odoo.reread',
    description:
      'Re-reads the record an Odoo webhook hint is about, waiting briefly for its commit',
    config: RereadConfig as z.ZodType<RereadConfig>,
    sideEffect: false,
    async execute(ctx, config) {
      const client = clients(config.connection);
      const model = String(config.model);
      const id = Number(config.id);
      const hintAt = config.hint_write_date === null ? null : String(config.hint_write_date);
      const waitedMs = ctx.now().getTime() - new Date(String(config.received_at)).getTime();
      const notYet = (reason: string): never => {
        if (waitedMs < config.settle_ms) {
          throw new CrossdockError(
            'ODOO_CHANGE_NOT_VISIBLE',
            `${model} ${id}: ${reason}; waiting for the commit`,
            { category: 'transient', retryable: true, retryAfterMs: 250 },
          );
        }
        throw new DroppedHint(reason);
      };
      try {
        const record = await readCommitted(
          client,
          model,
          id,
          [...new Set([...config.fields, 'write_date'])],
          hintAt,
        );
        if (record === 'missing') return notYet('the record does not exist');
        if (record === 'older')
          return notYet(`the committed record was last written before the hint's ${hintAt}`);
        const writeDate = String(record.write_date);
        const matches =
          config.domain.length === 0 ||
          (await client.call<number>(
            model,
            'search_count',
            [[['id', '=', id], ...config.domain]],
            {},
            undefined,
            { idempotent: true },
          )) > 0;
        const reason = matches
          ? undefined
          : 'the committed record does not match the watch domain (the change was undone since)';
        return {
          kind: 'done',
          output: {
            visible: true,
            matches,
            record,
            write_date: writeDate,
            version: recordVersion(record),
            ...(reason ? { reason } : {}),
          } satisfies RereadOutcome,
        };
      } catch (error) {
        if (error instanceof DroppedHint) {
          return {
            kind: 'done',
            output: {
              visible: false,
              reason: `${error.message} after ${config.settle_ms} ms: the change was rolled back or never happened`,
            } satisfies RereadOutcome,
          };
        }
        throw error;
      }
    },
    describe: (c) => `would re-read ${String(c.model)} ${String(c.id)} over RPC`,
  };
}

/**
 * The committed record if it is at least as new as `hintAt` (compared by Odoo at full
 * precision), else whether it is missing or older. The version test and the read are one
 * search, so the values returned are those of a version at least as new as the hint.
 */
async function readCommitted(
  client: OdooClient,
  model: string,
  id: number,
  fields: string[],
  hintAt: string | null,
): Promise<Record<string, unknown> | 'missing' | 'older'> {
  const read = (domain: unknown[]) =>
    client.call<Record<string, unknown>[]>(
      model,
      'search_read',
      [domain],
      { fields, context: { active_test: false } },
      undefined,
      { idempotent: true },
    );
  const byId: unknown[] = [['id', '=', id]];
  const [current] = await read(hintAt === null ? byId : [...byId, ['write_date', '>=', hintAt]]);
  if (current) return current;
  if (hintAt === null) return 'missing';
  return (await client.call<number>(
    model,
    'search_count',
    [byId],
    { context: { active_test: false } },
    undefined,
    { idempotent: true },
  )) > 0
    ? 'older'
    : 'missing';
}

class DroppedHint extends Error {}
