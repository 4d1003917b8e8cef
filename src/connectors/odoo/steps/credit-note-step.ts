/**
 * odoo.credit_note: a draft credit note reversing a posted customer invoice for given
 * products and quantities, made the way the recorded fixtures show (ret-11..16): create
 * account.move.reversal {reason, journal_id} with the invoice as active record (move_ids
 * and company_id come from the context; a move that is not posted is refused at create:
 * "You can only reverse posted moves."), refund_moves, whose window action names the draft
 * credit note (a full copy of the invoice's product lines, ref "Reversal of: <invoice>,
 * <reason>"), then the lines cut to what is credited: [2, id] for a line not credited, [1,
 * id, {quantity}] for the others. A line may also name the `price_unit` to credit at (a
 * shipping charge given back in part): it goes into the same [1, id, {...}] command, and Odoo
 * recomputes the line and the totals. Posting is left to the workflow (action_post).
 */
import { z } from 'zod';
import { dynamic, type StepContext, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import { lineCommands, lineSchema } from './return-step.ts';
import {
  brief,
  callOptions,
  connection,
  missingRecord,
  onConnection,
  recordKey,
  recordIdSchema,
  resolved,
  unexpectedResult,
  type OdooClientPool,
} from './shared.ts';

const creditLineSchema = lineSchema.extend({ price_unit: z.number().nonnegative().optional() });
type CreditLine = z.output<typeof creditLineSchema>;

const CreditNoteConfig = z.strictObject({
  connection,
  invoice_id: dynamic(recordIdSchema),
  /** Shown on the credit note ("Reversal of: <invoice>, <reason>"); one credit note per reason and invoice, so make it name what is credited (the return). */
  reason: dynamic(z.string().min(1).max(200)),
  lines: dynamic(z.array(creditLineSchema).min(1)),
});
type CreditNoteConfig = z.output<typeof CreditNoteConfig>;

interface Move {
  id: number;
  name: string;
  state: string;
  ref: string | false;
  journal_id: [number, string] | false;
}

export function creditNoteStep(pool: OdooClientPool): StepType<CreditNoteConfig> {
  return {
    type: 'odoo.credit_note',
    description:
      'Creates the draft credit note of a posted invoice for given products and quantities, once per reason; output { credit_note_id, state, created }',
    config: CreditNoteConfig as z.ZodType<CreditNoteConfig>,
    sideEffect: true,
    ownIdempotency: 'finds the credit note of the invoice whose ref names the reason',
    serializeOn: (c) => recordKey(c.connection, 'account.move', c.invoice_id),
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const invoiceId = resolved(config.invoice_id, 'invoice_id');
      const reason = config.reason;
      const lines = resolved(config.lines, 'lines');
      const [invoice] = await client.call<Move[]>(
        'account.move',
        'read',
        [[invoiceId]],
        { fields: ['name', 'state', 'ref', 'journal_id'] },
        undefined,
        callOptions(ctx, true),
      );
      if (invoice === undefined) throw missingRecord('account.move', [invoiceId]);
      // Idempotency: the credit note carries the reason in its ref from the moment it
      // exists (refund_moves writes it), so a repeat finds it, also after a crash before
      // its lines were cut; a draft one gets its lines cut again (the same edits).
      const ref = `Reversal of: ${invoice.name}, ${reason}`;
      let creditNote = await existingCreditNote(ctx, client, invoiceId, ref);
      const created = creditNote === undefined;
      if (creditNote === undefined) {
        const id = await reverse(ctx, client, invoice, reason);
        creditNote = { id, state: 'draft' };
      }
      if (creditNote.state === 'draft') await cutLines(ctx, client, creditNote.id, lines);
      return {
        kind: 'done',
        output: { credit_note_id: creditNote.id, state: creditNote.state, created },
      };
    },
    describe: (c) =>
      `would create the credit note of account.move ${String(c.invoice_id)} for ${brief(c.lines)} (account.move.reversal, refund_moves) unless one has reason ${JSON.stringify(c.reason)}${onConnection(c.connection)}`,
  };
}

async function existingCreditNote(
  ctx: StepContext,
  client: OdooClient,
  invoiceId: number,
  ref: string,
): Promise<{ id: number; state: string } | undefined> {
  const notes = await client.call<Move[]>(
    'account.move',
    'search_read',
    [
      [
        ['reversed_entry_id', '=', invoiceId],
        ['move_type', '=', 'out_refund'],
        ['state', '!=', 'cancel'],
      ],
    ],
    { fields: ['state', 'ref'], order: 'id' },
    undefined,
    callOptions(ctx, true),
  );
  const found = notes.find((note) => note.ref === ref);
  return found === undefined ? undefined : { id: found.id, state: found.state };
}

/** Not marked idempotent: the search above is what guards a repeat. */
async function reverse(
  ctx: StepContext,
  client: OdooClient,
  invoice: Move,
  reason: string,
): Promise<number> {
  const context = { active_model: 'account.move', active_ids: [invoice.id], active_id: invoice.id };
  const values: Record<string, unknown> = { reason };
  if (invoice.journal_id !== false) values.journal_id = invoice.journal_id[0];
  const wizard = await client.call<number>(
    'account.move.reversal',
    'create',
    [values],
    {},
    context,
    callOptions(ctx, false),
  );
  const action = await client.call<{ res_id?: unknown }>(
    'account.move.reversal',
    'refund_moves',
    [[wizard]],
    {},
    context,
    callOptions(ctx, false),
  );
  if (typeof action?.res_id !== 'number')
    throw unexpectedResult(
      `account.move ${invoice.id}: refund_moves did not name one credit note`,
      action,
    );
  return action.res_id;
}

async function cutLines(
  ctx: StepContext,
  client: OdooClient,
  creditNoteId: number,
  lines: readonly CreditLine[],
): Promise<void> {
  const current = await client.call<
    { id: number; product_id: [number, string] | false; quantity: number }[]
  >(
    'account.move.line',
    'search_read',
    [
      [
        ['move_id', '=', creditNoteId],
        ['display_type', '=', 'product'],
      ],
    ],
    { fields: ['product_id', 'quantity'], order: 'id' },
    undefined,
    callOptions(ctx, true),
  );
  const withProduct = current.flatMap((line) =>
    line.product_id === false ? [] : [{ ...line, product_id: line.product_id }],
  );
  const priceOf = new Map(
    lines.flatMap((l) => (l.price_unit === undefined ? [] : [[l.product_id, l.price_unit]])),
  );
  const productOf = new Map(withProduct.map((line) => [line.id, line.product_id[0]]));
  const commands: unknown[] = lineCommands(withProduct, lines).map(([, id, { quantity }]) => {
    if (quantity <= 0) return [2, id];
    const price = priceOf.get(productOf.get(id) ?? 0);
    return [1, id, price === undefined ? { quantity } : { quantity, price_unit: price }];
  });
  for (const line of current) if (line.product_id === false) commands.push([2, line.id]);
  // Setting the same quantities and deleting lines already gone is what a repeat does.
  await client.call(
    'account.move',
    'write',
    [[creditNoteId], { invoice_line_ids: commands }],
    {},
    undefined,
    callOptions(ctx, false),
  );
}
