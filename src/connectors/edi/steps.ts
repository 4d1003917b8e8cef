/**
 * The EDI step types the packs use:
 *  - `edi.plan_order`: an order event's lines against the products read from Odoo
 *    (plan-order.ts): the sale order lines to create (in the product's unit, at the price
 *    taken) and the 855 status of each line (accepted, price changed, rejected with the
 *    reason), split into what ships now and what is backordered (IB, with the date the rest
 *    is expected) when the product's free quantity cannot cover it;
 *  - `edi.send` (send-step.ts): queues an outbound document for a partner, once per step key.
 */
import { z } from 'zod';
import { LineStatus } from '../../edi/index.ts';
import { dynamic, type StepType } from '../../workflows/index.ts';
import { BUILT_IN_UNITS } from './config.ts';
import { planOrderLines, saleOrderLine, type PlanInput } from './plan-order.ts';

const odooRef = z.union([z.tuple([z.int(), z.string()]), z.literal(false)]);
const OrderLine = z.object({
  line: z.string(),
  quantity: z.number().positive(),
  uom: z.string(),
  unit_price: z.number().nullable(),
  items: z.record(z.string(), z.string()),
  default_code: z.string().nullable(),
  barcode: z.string().nullable(),
});
const Product = z.object({
  id: z.int(),
  default_code: z.union([z.string(), z.literal(false)]),
  barcode: z.union([z.string(), z.literal(false)]),
  list_price: z.number(),
  /** Odoo's free quantity (on hand, not reserved); when read, a line above it is backordered. */
  free_qty: z.number().optional(),
  product_tmpl_id: odooRef.optional(),
});
const Receipt = z.object({
  product_id: odooRef,
  product_uom_qty: z.number(),
  date: z.union([z.string(), z.literal(false)]),
});
const Supplier = z.object({ product_tmpl_id: odooRef, delay: z.number().min(0) });
const Units = z.record(z.string(), z.number().positive());

const PlanConfig = z.strictObject({
  lines: dynamic(z.array(OrderLine).min(1)),
  products: dynamic(z.array(Product)),
  /** YYYY-MM-DD the lines are promised for (the 855's ACK05), when known. */
  ship_date: dynamic(z.string().nullable()).optional(),
  /** The partner's units in the product's unit (the built-in EA, PC, UN, DZ when not given). */
  units: dynamic(Units).optional(),
  /** An item's own units, by internal reference. */
  item_units: dynamic(z.record(z.string(), Units)).optional(),
  price_tolerance_percent: dynamic(z.number().min(0).max(100)).optional(),
  /** Incoming receipt moves (stock.move of confirmed purchases): when backorders are expected. */
  receipts: dynamic(z.array(Receipt)).optional(),
  /** product.supplierinfo rows: the vendor's lead time when no receipt covers a backorder. */
  suppliers: dynamic(z.array(Supplier)).optional(),
});
type PlanConfig = z.output<typeof PlanConfig>;

export function planOrderStep(): StepType<PlanConfig> {
  return {
    type: 'edi.plan_order',
    description:
      "Matches an EDI order's lines to Odoo products; output { order_lines, ack_lines, accepted, rejected, backordered, problems }",
    config: PlanConfig as z.ZodType<PlanConfig>,
    sideEffect: false,
    async execute(ctx, config) {
      const input: PlanInput = {
        lines: config.lines as PlanInput['lines'],
        products: config.products as PlanInput['products'],
        units: (config.units as PlanInput['units'] | undefined) ?? { ...BUILT_IN_UNITS },
        itemUnits: (config.item_units as PlanInput['itemUnits'] | undefined) ?? {},
        priceTolerancePercent: (config.price_tolerance_percent as number | undefined) ?? 0,
        shipDate: typeof config.ship_date === 'string' ? config.ship_date : null,
        receipts: (config.receipts as PlanInput['receipts'] | undefined) ?? [],
        suppliers: (config.suppliers as PlanInput['suppliers'] | undefined) ?? [],
        today: ctx.now().toISOString().slice(0, 10),
      };
      const ackLines = planOrderLines(input);
      const orderLines = ackLines.flatMap((l, i) => {
        const product = input.products.find((p) => p.id === l.productId);
        return product ? [[0, 0, saleOrderLine(l, input.lines[i]!, product.list_price)]] : [];
      });
      const rejected = ackLines.filter((l) => l.status === LineStatus.rejected);
      return {
        kind: 'done',
        output: {
          order_lines: orderLines,
          ack_lines: ackLines,
          accepted: ackLines.length - rejected.length,
          rejected: rejected.length,
          backordered: ackLines.filter(
            (l) => l.status === LineStatus.backordered || (l.backordered ?? 0) > 0,
          ).length,
          problems: ackLines
            .filter((l) => l.reason !== null)
            .map((l) => `line ${l.lineNumber}: ${l.reason}`),
        },
      };
    },
    describe: () => 'would match the order lines to the products read',
  };
}
