/**
 * odoo.vendor_refund: the vendor refund of goods returned to the vendor, made the way the
 * recorded fixtures show (ret-26..29): once a return to the vendor is validated, the order's
 * lines have a negative quantity to bill (qty_received went down, qty_invoiced did not), and
 * purchase.order action_create_invoice then makes a draft vendor refund (move_type
 * in_refund, positive quantities at the order's price) instead of a bill. Its answer is the
 * same "Bills" window action as for a bill (res_id the new move). Odoo bills every line of
 * the order with a quantity to bill, of either sign: when some line still has goods to bill,
 * one call would make a bill mixing them with the refund, so the step makes nothing and
 * answers `mixed`; when no line has a negative quantity (the returned goods were not billed),
 * nothing is refunded and it answers `nothing-to-refund`. Posting is left to the workflow.
 */
import { z } from 'zod';
import { dynamic, type StepContext, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import { returnLinesSchema } from './return-step.ts';
import {
  brief,
  callOptions,
  connection,
  missingRecord,
  onConnection,
  recordIdSchema,
  resolved,
  unexpectedResult,
  type OdooClientPool,
} from './shared.ts';

const VendorRefundConfig = z.strictObject({
  connection,
  /** The purchase order the goods were returned from. */
  order_id: dynamic(recordIdSchema),
  /** The return request's own reference: one refund per order and reference. */
  reference: dynamic(z.string().min(1).max(120)),
  /** What was returned (to tell whether the refund is exactly that). */
  lines: dynamic(returnLinesSchema),
});
type VendorRefundConfig = z.output<typeof VendorRefundConfig>;

interface Order {
  id: number;
  name: string;
  partner_ref: string | false;
}
interface Refund {
  id: number;
  name: string;
  state: string;
  ref: string | false;
  move_type: string;
  amount_total: number;
}
interface RefundLine {
  product_id: [number, string] | false;
  quantity: number;
}

const REFUND_FIELDS = ['name', 'state', 'ref', 'move_type', 'amount_total'];

export function vendorRefundStep(pool: OdooClientPool): StepType<VendorRefundConfig> {
  return {
    type: 'odoo.vendor_refund',
    description:
      'Creates the draft vendor refund of goods returned to the vendor through purchase.order action_create_invoice, once per reference; output { status, refund_id, name, state, amount_total, created, exact, lines }',
    config: VendorRefundConfig as z.ZodType<VendorRefundConfig>,
    sideEffect: true,
    ownIdempotency: "finds the order's vendor refund whose ref names the reference",
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const orderId = resolved(config.order_id, 'order_id');
      const lines = resolved(config.lines, 'lines');
      const order = await readOrder(ctx, client, orderId);
      const vendorRef = order.partner_ref === false ? '' : order.partner_ref;
      const mark = `${vendorRef === '' ? order.name : vendorRef}, return ${config.reference}`;
      // Idempotency: the refund's ref names the request from the step's write on. A crash
      // between action_create_invoice and that write leaves Odoo's own ref (the vendor
      // reference): a draft refund of the order with that ref is taken as this step's (the
      // workflow runs one request per order at a time).
      let refund = await existingRefund(ctx, client, order, mark, vendorRef);
      let created = false;
      if (refund === undefined) {
        const toBill = await quantitiesToBill(ctx, client, orderId);
        if (!toBill.some((q) => q < -1e-9))
          return { kind: 'done', output: { status: 'nothing-to-refund', refund_id: null } };
        if (toBill.some((q) => q > 1e-9))
          return { kind: 'done', output: { status: 'mixed', refund_id: null } };
        refund = await createRefund(ctx, client, order);
        created = true;
      }
      if (refund.ref !== mark) {
        // Writing the same ref again is harmless: the client may repeat it.
        await client.call(
          'account.move',
          'write',
          [[refund.id], { ref: mark }],
          {},
          undefined,
          callOptions(ctx, true),
        );
      }
      const refunded = await refundLines(ctx, client, refund.id);
      return {
        kind: 'done',
        output: {
          status: 'created',
          refund_id: refund.id,
          name: refund.name,
          state: refund.state,
          amount_total: refund.amount_total,
          created,
          exact: sameLines(refunded, lines),
          lines: refunded,
        },
      };
    },
    describe: (c) =>
      `would make the vendor refund of purchase.order ${String(c.order_id)} for ${brief(c.lines)} (action_create_invoice) unless one names return ${String(c.reference)}${onConnection(c.connection)}`,
  };
}

async function readOrder(ctx: StepContext, client: OdooClient, id: number): Promise<Order> {
  const [order] = await client.call<Order[]>(
    'purchase.order',
    'read',
    [[id]],
    { fields: ['name', 'partner_ref'] },
    undefined,
    callOptions(ctx, true),
  );
  if (order === undefined) throw missingRecord('purchase.order', [id]);
  return order;
}

async function existingRefund(
  ctx: StepContext,
  client: OdooClient,
  order: Order,
  mark: string,
  vendorRef: string,
): Promise<Refund | undefined> {
  const refunds = await client.call<Refund[]>(
    'account.move',
    'search_read',
    [
      [
        ['invoice_origin', '=', order.name],
        ['move_type', '=', 'in_refund'],
        ['state', '!=', 'cancel'],
      ],
    ],
    { fields: REFUND_FIELDS, order: 'id' },
    undefined,
    callOptions(ctx, true),
  );
  return (
    refunds.find((r) => r.ref === mark) ??
    refunds.find((r) => r.state === 'draft' && (r.ref === vendorRef || r.ref === false))
  );
}

async function quantitiesToBill(
  ctx: StepContext,
  client: OdooClient,
  orderId: number,
): Promise<number[]> {
  const lines = await client.call<{ qty_to_invoice: number }[]>(
    'purchase.order.line',
    'search_read',
    [[['order_id', '=', orderId]]],
    { fields: ['qty_to_invoice'] },
    undefined,
    callOptions(ctx, true),
  );
  return lines.map((line) => line.qty_to_invoice);
}

/** Not marked idempotent: the search above is what guards a repeat. */
async function createRefund(ctx: StepContext, client: OdooClient, order: Order): Promise<Refund> {
  const action = await client.call<{ res_id?: unknown }>(
    'purchase.order',
    'action_create_invoice',
    [[order.id]],
    {},
    undefined,
    callOptions(ctx, false),
  );
  if (typeof action?.res_id !== 'number')
    throw unexpectedResult(
      `purchase.order ${order.id}: action_create_invoice did not name a move`,
      action,
    );
  const [move] = await client.call<Refund[]>(
    'account.move',
    'read',
    [[action.res_id]],
    { fields: REFUND_FIELDS },
    undefined,
    callOptions(ctx, true),
  );
  if (move === undefined) throw missingRecord('account.move', [action.res_id]);
  if (move.move_type !== 'in_refund')
    throw unexpectedResult(
      `purchase.order ${order.id}: action_create_invoice made a ${move.move_type}, not a vendor refund`,
      move,
    );
  return move;
}

async function refundLines(
  ctx: StepContext,
  client: OdooClient,
  refundId: number,
): Promise<{ product_id: number; quantity: number }[]> {
  const lines = await client.call<RefundLine[]>(
    'account.move.line',
    'search_read',
    [
      [
        ['move_id', '=', refundId],
        ['display_type', '=', 'product'],
      ],
    ],
    { fields: ['product_id', 'quantity'], order: 'id' },
    undefined,
    callOptions(ctx, true),
  );
  return lines.flatMap((line) =>
    line.product_id === false ? [] : [{ product_id: line.product_id[0], quantity: line.quantity }],
  );
}

/** Whether the refund credits exactly the returned quantities, product by product. */
function sameLines(
  refunded: readonly { product_id: number; quantity: number }[],
  returned: readonly { product_id: number; quantity: number }[],
): boolean {
  const totals = (lines: readonly { product_id: number; quantity: number }[]) => {
    const map = new Map<number, number>();
    for (const l of lines) map.set(l.product_id, (map.get(l.product_id) ?? 0) + l.quantity);
    return map;
  };
  const a = totals(refunded);
  const b = totals(returned);
  return a.size === b.size && [...a].every(([p, q]) => Math.abs((b.get(p) ?? NaN) - q) < 1e-9);
}
