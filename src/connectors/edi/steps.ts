/**
 * The EDI step types the packs use:
 *  - `edi.plan_order`: an order event's lines against the products read from Odoo: the sale
 *    order lines to create (at Odoo's price) and the 855 status of each line (accepted, price
 *    changed, rejected with the reason), split into what ships now and what is backordered
 *    (IB) when the product's free quantity cannot cover it;
 *  - `edi.send` (send-step.ts): queues an outbound document for a partner, once per step key.
 */
import { z } from 'zod';
import { LineStatus, type AckLine } from '../../edi/index.ts';
import { dynamic, type StepType } from '../../workflows/index.ts';

/** Units of measure the partner may order in that are Odoo's "Units". */
const UNIT_CODES = new Set(['EA', 'PC', 'UN']);
const PRICE_TOLERANCE = 0.005;

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
});

const PlanConfig = z.strictObject({
  lines: dynamic(z.array(OrderLine).min(1)),
  products: dynamic(z.array(Product)),
  /** YYYY-MM-DD the lines are promised for (the 855's ACK05), when known. */
  ship_date: dynamic(z.string().nullable()).optional(),
});
type PlanConfig = z.output<typeof PlanConfig>;

interface PlannedLine extends AckLine {
  reason: string | null;
}

export function planOrderStep(): StepType<PlanConfig> {
  return {
    type: 'edi.plan_order',
    description:
      "Matches an EDI order's lines to Odoo products; output { order_lines, ack_lines, accepted, rejected, backordered }",
    config: PlanConfig as z.ZodType<PlanConfig>,
    sideEffect: false,
    async execute(_ctx, config) {
      const lines = config.lines as z.output<typeof OrderLine>[];
      const products = config.products as z.output<typeof Product>[];
      const shipDate = typeof config.ship_date === 'string' ? config.ship_date : null;
      const orderLines: unknown[] = [];
      const freeLeft = new Map<number, number>();
      const ackLines: PlannedLine[] = lines.map((line) => {
        const base = {
          lineNumber: line.line,
          quantityOrdered: line.quantity,
          uom: line.uom,
          unitPrice: line.unit_price,
          items: line.items,
        };
        const product =
          products.find(
            (p) => line.default_code !== null && p.default_code === line.default_code,
          ) ?? products.find((p) => line.barcode !== null && p.barcode === line.barcode);
        const reject = (reason: string): PlannedLine => ({
          ...base,
          status: LineStatus.rejected,
          quantity: 0,
          shipDate: null,
          reason,
        });
        if (!product)
          return reject(
            `no product has ${[line.default_code && `internal reference ${line.default_code}`, line.barcode && `barcode ${line.barcode}`].filter(Boolean).join(' or ') || 'an identifier we map'}`,
          );
        if (!UNIT_CODES.has(line.uom)) return reject(`unit ${line.uom} is not one we sell in (EA)`);
        orderLines.push([
          0,
          0,
          {
            product_id: product.id,
            product_uom_qty: line.quantity,
            price_unit: product.list_price,
          },
        ]);
        const priceDiffers =
          line.unit_price !== null &&
          Math.abs(line.unit_price - product.list_price) > PRICE_TOLERANCE;
        // What can be promised now: the free quantity, taken line by line in the order's order
        // (two lines of one product share it); the rest is backordered (ACK IB, no date). The
        // sale order still takes the whole line: Odoo's delivery backorder ships the rest.
        const free =
          product.free_qty === undefined
            ? Infinity
            : (freeLeft.get(product.id) ?? Math.max(0, product.free_qty));
        const promised = Math.min(line.quantity, free);
        freeLeft.set(product.id, free - promised);
        const backordered = line.quantity - promised;
        const reason = priceDiffers
          ? `ordered at ${line.unit_price}, our price is ${product.list_price}`
          : null;
        if (promised === 0)
          return {
            ...base,
            unitPrice: priceDiffers ? product.list_price : line.unit_price,
            status: LineStatus.backordered,
            quantity: line.quantity,
            shipDate: null,
            reason,
          };
        return {
          ...base,
          unitPrice: priceDiffers ? product.list_price : line.unit_price,
          status: priceDiffers ? LineStatus.priceChanged : LineStatus.accepted,
          quantity: promised,
          shipDate,
          ...(backordered > 0 ? { backordered } : {}),
          reason,
        };
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
