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

/** The order's customer invoices that still count: not cancelled, not credit notes. */
async function liveInvoices(
  ctx: StepContext,
  client: OdooClient,
  orderId: number,
): Promise<number[]> {
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
    .map((move) => move.id)
    .sort((a, b) => a - b);
}

export function invoiceFromOrderStep(pool: OdooClientPool): StepType<InvoiceConfig> {
  return {
    type: 'odoo.invoice_from_order',
    description:
      'Creates the draft invoice of a sale order unless it has one; output { invoice_id, invoice_ids, created }',
    config: InvoiceConfig as z.ZodType<InvoiceConfig>,
    sideEffect: true,
    ownIdempotency: 'returns the invoice the order already has',
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const orderId = resolved(config.order_id, 'order_id');
      // Idempotency: an order that already has a (non-cancelled) customer invoice is not
      // invoiced again; a repeat after a crash finds the invoice the first attempt made.
      const existing = await liveInvoices(ctx, client, orderId);
      if (existing.length > 0)
        return {
          kind: 'done',
          output: {
            invoice_id: existing[existing.length - 1],
            invoice_ids: existing,
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
      const invoices = await liveInvoices(ctx, client, orderId);
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
      `would create the invoice of sale.order ${String(c.order_id)} (sale.advance.payment.inv, delivered quantities) unless it has one${onConnection(c.connection)}`,
  };
}
