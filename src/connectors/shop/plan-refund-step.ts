/**
 * `shop.plan_refund`: what a shop's refund can become in Odoo, from the order's posted
 * invoices, their product lines and the credit notes already made of them. One of:
 * - `credit`: the credit note lines (product and quantity; the shipping product at the
 *   amount refunded) on the first invoice that carries all of them;
 * - `not-invoiced`: the order has no posted invoice, so there is nothing to credit yet;
 * - `over-invoiced`: the refund is more than was invoiced, less what was credited already;
 * - `not-on-invoice`: a refunded SKU, or the shipping, is on no single invoice in that quantity;
 * - `nothing-to-credit`: the refund names no line and no shipping (an amount only).
 * `why` says it in words a person acts on. Pure: it reads nothing and writes nothing.
 */
import { z } from 'zod';
import { dynamic, type StepType } from '../../workflows/index.ts';

const many2one = z.union([z.tuple([z.int(), z.string()]), z.literal(false)]);
const RefundLine = z.object({ sku: z.string().nullable(), quantity: z.number().nonnegative() });
const Product = z.object({ id: z.int(), default_code: z.union([z.string(), z.literal(false)]) });
const Invoice = z.object({ id: z.int(), name: z.string(), amount_total: z.number() });
const InvoiceLine = z.object({
  move_id: many2one,
  product_id: many2one,
  quantity: z.number(),
  price_unit: z.number(),
});
const CreditNote = z.object({
  ref: z.union([z.string(), z.literal(false)]),
  amount_total: z.number(),
});

const fields = {
  /** The credit note's reason: a credit note whose ref ends with it is this refund's own. */
  reason: z.string().min(1),
  amount: z.number().nonnegative(),
  lines: z.array(RefundLine),
  shipping_amount: z.number().nonnegative(),
  shipping_product: z.string().nullable(),
  /** The largest refund whose credit note is posted at once; null: every one. */
  post_up_to: z.number().nonnegative().nullable(),
  products: z.array(Product),
  invoices: z.array(Invoice),
  invoice_lines: z.array(InvoiceLine),
  credit_notes: z.array(CreditNote),
};
type Plan = z.output<z.ZodObject<typeof fields>>;
const PlanRefundConfig = z.strictObject({
  reason: dynamic(fields.reason),
  amount: dynamic(fields.amount),
  lines: dynamic(fields.lines),
  shipping_amount: dynamic(fields.shipping_amount),
  shipping_product: dynamic(fields.shipping_product),
  post_up_to: dynamic(fields.post_up_to),
  products: dynamic(fields.products),
  invoices: dynamic(fields.invoices),
  invoice_lines: dynamic(fields.invoice_lines),
  credit_notes: dynamic(fields.credit_notes),
});
type PlanRefundConfig = z.output<typeof PlanRefundConfig>;

export const REFUND_DECISIONS = {
  credit: 'credit',
  notInvoiced: 'not-invoiced',
  overInvoiced: 'over-invoiced',
  notOnInvoice: 'not-on-invoice',
  nothingToCredit: 'nothing-to-credit',
} as const;
export type RefundDecision = (typeof REFUND_DECISIONS)[keyof typeof REFUND_DECISIONS];

export interface CreditLine {
  product_id: number;
  quantity: number;
  /** Only for the shipping line refunded at another amount than invoiced. */
  price_unit?: number;
}

export interface RefundPlan {
  decision: RefundDecision;
  why: string;
  invoice_id: number | null;
  invoice: string | null;
  credit_lines: CreditLine[];
  /** Σ posted invoices, Σ credit notes of them (this refund's own not counted), and what is left. */
  invoiced: number;
  credited: number;
  creditable: number;
  post: boolean;
}

const cents = (n: number) => Math.round(n * 100) / 100;
const money = (n: number) => cents(n).toFixed(2);

/** What the refund asks, per product; a SKU no product has, or shipping with no product, is a problem. */
function wanted(plan: Plan): { want: Map<number, CreditLine>; problems: string[] } {
  const bySku = new Map(
    plan.products.flatMap((p) =>
      typeof p.default_code === 'string' ? [[p.default_code, p.id]] : [],
    ),
  );
  const want = new Map<number, CreditLine>();
  const problems: string[] = [];
  for (const line of plan.lines) {
    if (line.quantity <= 0) continue;
    const id = line.sku === null ? undefined : bySku.get(line.sku);
    if (id === undefined) {
      problems.push(`${line.sku ?? 'a line without SKU'} is no product in Odoo`);
      continue;
    }
    const before = want.get(id)?.quantity ?? 0;
    want.set(id, { product_id: id, quantity: before + line.quantity });
  }
  if (plan.shipping_amount > 0) {
    const id = plan.shipping_product === null ? undefined : bySku.get(plan.shipping_product);
    if (id === undefined)
      problems.push(
        plan.shipping_product === null
          ? 'shipping is refunded, but the shop has no shipping product configured'
          : `the shipping product ${plan.shipping_product} is not in Odoo`,
      );
    else want.set(id, { product_id: id, quantity: 1, price_unit: plan.shipping_amount });
  }
  return { want, problems };
}

/** The first invoice whose product lines carry every wanted quantity (shipping: its amount). */
function coveringInvoice(plan: Plan, want: Map<number, CreditLine>) {
  return plan.invoices.find((invoice) =>
    [...want.values()].every((w) => {
      const lines = plan.invoice_lines.filter(
        (l) =>
          l.move_id !== false &&
          l.move_id[0] === invoice.id &&
          l.product_id !== false &&
          l.product_id[0] === w.product_id,
      );
      const quantity = lines.reduce((sum, l) => sum + l.quantity, 0);
      if (w.price_unit === undefined) return quantity >= w.quantity - 1e-9;
      const charged = lines.reduce((sum, l) => sum + l.quantity * l.price_unit, 0);
      return quantity >= 1 - 1e-9 && w.price_unit <= cents(charged) + 0.005;
    }),
  );
}

export function planRefund(plan: Plan): RefundPlan {
  const own = `, ${plan.reason}`;
  const invoiced = cents(plan.invoices.reduce((sum, i) => sum + i.amount_total, 0));
  const credited = cents(
    plan.credit_notes
      .filter((c) => !(typeof c.ref === 'string' && c.ref.endsWith(own)))
      .reduce((sum, c) => sum + c.amount_total, 0),
  );
  const creditable = cents(invoiced - credited);
  const base = {
    invoiced,
    credited,
    creditable,
    invoice_id: null,
    invoice: null,
    credit_lines: [],
  };
  const post = plan.post_up_to === null || plan.amount <= plan.post_up_to;
  const refused = (decision: RefundDecision, why: string): RefundPlan => ({
    ...base,
    decision,
    why,
    post: false,
  });
  if (plan.invoices.length === 0)
    return refused(
      'not-invoiced',
      'the order has no posted invoice yet, so there is nothing to credit',
    );
  if (plan.amount > creditable + 0.005)
    return refused(
      'over-invoiced',
      `the refund of ${money(plan.amount)} is more than the ${money(creditable)} left to credit (invoiced ${money(invoiced)}, credited ${money(credited)})`,
    );
  const { want, problems } = wanted(plan);
  if (problems.length > 0) return refused('not-on-invoice', problems.join('; '));
  if (want.size === 0)
    return refused(
      'nothing-to-credit',
      'the refund names no line and no shipping, only an amount: credit it by hand',
    );
  const invoice = coveringInvoice(plan, want);
  if (invoice === undefined)
    return refused(
      'not-on-invoice',
      `no one posted invoice (${plan.invoices.map((i) => i.name).join(', ')}) carries every refunded line in that quantity`,
    );
  // A shipping line refunded at what it was charged is credited as it is.
  const lines = [...want.values()].map((w) => {
    if (w.price_unit === undefined) return w;
    const line = plan.invoice_lines.find(
      (l) =>
        l.move_id !== false &&
        l.move_id[0] === invoice.id &&
        l.product_id !== false &&
        l.product_id[0] === w.product_id,
    );
    return line !== undefined && Math.abs(line.price_unit - w.price_unit) < 0.005
      ? { product_id: w.product_id, quantity: w.quantity }
      : w;
  });
  return {
    ...base,
    decision: 'credit',
    why: `credited on ${invoice.name}`,
    invoice_id: invoice.id,
    invoice: invoice.name,
    credit_lines: lines,
    post,
  };
}

export function planShopRefundStep(): StepType<PlanRefundConfig> {
  return {
    type: 'shop.plan_refund',
    description:
      "Decides what a shop refund becomes against the order's posted invoices; output { decision, why, invoice_id, invoice, credit_lines, invoiced, credited, creditable, post }",
    config: PlanRefundConfig as z.ZodType<PlanRefundConfig>,
    sideEffect: false,
    async execute(_ctx, config) {
      return { kind: 'done', output: planRefund(config as Plan) };
    },
    describe: () => "would match the refund to the order's posted invoices",
  };
}
