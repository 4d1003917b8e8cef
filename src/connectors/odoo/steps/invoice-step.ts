/**
 * odoo.invoice_from_order: the customer invoice of a sale order, made the way the recorded
 * fixtures show (flow-a-12/13): create sale.advance.payment.inv ("delivered") with the
 * order as active record, then create_invoices, which returns a window action whose
 * res_id is the new draft invoice. `_create_invoices` is private and cannot be called.
 */
import { z } from 'zod';
import { dynamic, type StepContext, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import {
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

const InvoiceConfig = z.strictObject({
  connection,
  order_id: dynamic(recordIdSchema),
});
type InvoiceConfig = z.output<typeof InvoiceConfig>;

/** The order's customer invoices that still count (not cancelled, not credit notes), oldest first. */
async function liveInvoices(
  ctx: StepContext,
  client: OdooClient,
  orderId: number,
): Promise<{ id: number; state: string }[]> {
  const [order] = await client.call<{ invoice_ids: number[] }[]>(
    'sale.order',
    'read',
    [[orderId]],
    { fields: ['invoice_ids'] },
    undefined,
    callOptions(ctx, true),
  );
  if (order === undefined) throw missingRecord('sale.order', [orderId]);
  if (order.invoice_ids.length === 0) return [];
  const moves = await client.call<{ id: number; state: string; move_type: string }[]>(
    'account.move',
    'read',
    [order.invoice_ids],
    { fields: ['state', 'move_type'] },
    undefined,
    callOptions(ctx, true),
  );
  return moves
    .filter((move) => move.move_type === 'out_invoice' && move.state !== 'cancel')
    .map((move) => ({ id: move.id, state: move.state }))
    .sort((a, b) => a.id - b.id);
}

/** Whether any line of the order has delivered quantities not invoiced yet (a backorder shipped since). */
async function somethingToInvoice(
  ctx: StepContext,
  client: OdooClient,
  orderId: number,
): Promise<boolean> {
  const lines = await client.call<{ qty_to_invoice: number }[]>(
    'sale.order.line',
    'search_read',
    [[['order_id', '=', orderId]]],
    { fields: ['qty_to_invoice'] },
    undefined,
    callOptions(ctx, true),
  );
  return lines.some((line) => line.qty_to_invoice > 0);
}

export function invoiceFromOrderStep(pool: OdooClientPool): StepType<InvoiceConfig> {
  return {
    type: 'odoo.invoice_from_order',
    description:
      'Creates the draft invoice of what a sale order delivered and has not invoiced, unless a draft invoice of it exists; output { invoice_id, invoice_ids, created }',
    config: InvoiceConfig as z.ZodType<InvoiceConfig>,
    sideEffect: true,
    ownIdempotency:
      'returns the draft invoice the order has, or its latest when nothing is left to invoice',
    serializeOn: (c) => recordKey(c.connection, 'sale.order', c.order_id),
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const orderId = resolved(config.order_id, 'order_id');
      // Idempotency: a draft invoice of the order is the one to post (a repeat after a crash
      // finds the invoice the first attempt made); posted ones are invoiced already, and a new
      // invoice is made only for what was delivered since (the backorder of a partial delivery).
      const existing = await liveInvoices(ctx, client, orderId);
      const ids = existing.map((invoice) => invoice.id);
      const draft = existing.filter((invoice) => invoice.state === 'draft').at(-1);
      if (
        draft !== undefined ||
        (ids.length > 0 && !(await somethingToInvoice(ctx, client, orderId)))
      )
        return {
          kind: 'done',
          output: {
            invoice_id: draft?.id ?? ids[ids.length - 1],
            invoice_ids: ids,
            created: false,
          },
        };
      const context = { active_model: 'sale.order', active_ids: [orderId], active_id: orderId };
      // A wizard left behind by a crash before create_invoices is a transient record Odoo cleans up.
      const wizard = await client.call<number>(
        'sale.advance.payment.inv',
        'create',
        [{ advance_payment_method: 'delivered' }],
        {},
        context,
        callOptions(ctx, false),
      );
      const action = await client.call<{ res_id?: unknown }>(
        'sale.advance.payment.inv',
        'create_invoices',
        [[wizard]],
        {},
        context,
        callOptions(ctx, false),
      );
      const invoices = (await liveInvoices(ctx, client, orderId)).map((invoice) => invoice.id);
      const invoiceId =
        typeof action?.res_id === 'number' && invoices.includes(action.res_id)
          ? action.res_id
          : invoices[invoices.length - 1];
      if (invoiceId === undefined)
        throw unexpectedResult(
          `sale.order ${orderId}: create_invoices left the order without an invoice`,
          action,
        );
      return {
        kind: 'done',
        output: { invoice_id: invoiceId, invoice_ids: invoices, created: true },
      };
    },
    describe: (c) =>
      `would create the invoice of sale.order ${String(c.order_id)} for what it delivered and has not invoiced (sale.advance.payment.inv, delivered quantities), unless it has a draft invoice${onConnection(c.connection)}`,
  };
}
