/**
 * `shop.plan_order`: a shop order's lines against the products read from Odoo by SKU
 * (internal reference): the sale order lines to create, at the shop's prices (what the
 * customer paid, its discounts as the line's discount percentage), and the SKUs no product has. The shipping charge becomes a line of the
 * shop's shipping product when one is configured and found.
 */
import { z } from 'zod';
import { dynamic, type StepType } from '../../workflows/index.ts';

const Line = z.object({
  sku: z.string(),
  title: z.string(),
  quantity: z.number().positive(),
  price_unit: z.number().nonnegative(),
  discount_amount: z.number().nonnegative().default(0),
});
const Product = z.object({
  id: z.int(),
  default_code: z.union([z.string(), z.literal(false)]),
});

const PlanConfig = z.strictObject({
  lines: dynamic(z.array(Line).min(1)),
  products: dynamic(z.array(Product)),
  shipping: dynamic(z.object({ title: z.string(), price: z.number().nonnegative() }).nullable()),
  shipping_product: dynamic(z.string().nullable()),
});
type PlanConfig = z.output<typeof PlanConfig>;

/**
 * A line's discount as Odoo's percentage (two decimals, Odoo's "Discount" precision): the
 * line total stays within a cent or so of what the shop charged.
 */
function discountOf(l: z.output<typeof Line>): { discount?: number } {
  const gross = l.price_unit * l.quantity;
  if (l.discount_amount <= 0 || gross <= 0) return {};
  return { discount: Math.min(100, Math.round((l.discount_amount / gross) * 10_000) / 100) };
}

export function planShopOrderStep(): StepType<PlanConfig> {
  return {
    type: 'shop.plan_order',
    description:
      "Matches a shop order's SKUs to Odoo products; output { order_lines, missing, missing_count, problems }",
    config: PlanConfig as z.ZodType<PlanConfig>,
    sideEffect: false,
    async execute(_ctx, config) {
      const lines = config.lines as z.output<typeof Line>[];
      const products = config.products as z.output<typeof Product>[];
      const shipping = config.shipping as { title: string; price: number } | null;
      const shippingCode = config.shipping_product as string | null;
      const bySku = new Map(
        products.flatMap((p) =>
          typeof p.default_code === 'string' ? [[p.default_code, p.id]] : [],
        ),
      );
      const missing = [...new Set(lines.map((l) => l.sku).filter((sku) => !bySku.has(sku)))];
      const orderLines: unknown[] = lines.flatMap((l) => {
        const id = bySku.get(l.sku);
        return id === undefined
          ? []
          : [
              [
                0,
                0,
                {
                  product_id: id,
                  product_uom_qty: l.quantity,
                  price_unit: l.price_unit,
                  ...discountOf(l),
                },
              ],
            ];
      });
      const problems = missing.map((sku) => `no product has the internal reference ${sku}`);
      if (shipping && shipping.price > 0) {
        const id = shippingCode === null ? undefined : bySku.get(shippingCode);
        if (id !== undefined)
          orderLines.push([
            0,
            0,
            {
              product_id: id,
              name: shipping.title,
              product_uom_qty: 1,
              price_unit: shipping.price,
            },
          ]);
        else if (shippingCode !== null)
          problems.push(
            `the shipping product ${shippingCode} is not in Odoo; shipping not charged`,
          );
      }
      return {
        kind: 'done',
        output: { order_lines: orderLines, missing, missing_count: missing.length, problems },
      };
    },
    describe: () => 'would match the order lines to the products read',
  };
}
