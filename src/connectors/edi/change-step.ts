/**
 * `edi.plan_change`: an 860 against the sale order it names (read from Odoo by the pack) and
 * the lines we acknowledged (our 855 and 865s): the write that applies it, or why it is
 * refused as a whole (no such order, a delivery done or announced by our 856, a cancellation
 * of the whole order), and the 865's answer per line.
 *
 * Idempotency: the write carries a mark of the change (`origin` gains " | 860 <ISA13>/<GS06>/
 * <ST02>", output `mark`) in the same Odoo write as the lines, so the mark and the change
 * commit together; the pack's write is skipped on an order that bears the mark (done_when).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import type { Database } from '../../store/index.ts';
import { dynamic, type StepType } from '../../workflows/index.ts';
import type { EdiPartner } from './config.ts';
import { acknowledgedLines } from './order-lines.ts';
import { planChange, type PlannedChangeLine } from './plan-change.ts';
import { documentBodiesAbout } from './store.ts';

const odooRef = z.union([z.tuple([z.int(), z.string()]), z.literal(false)]);
const ChangeLine = z.object({
  line: z.string(),
  change: z.enum(['AI', 'DI', 'QI', 'QD', 'PC', 'CA', 'NC']),
  quantity: z.number().min(0),
  uom: z.string().nullable(),
  unit_price: z.number().nullable(),
  items: z.record(z.string(), z.string()),
  default_code: z.string().nullable(),
  barcode: z.string().nullable(),
});

const ChangeConfig = z.strictObject({
  partner: dynamic(z.string().min(1)),
  po_number: dynamic(z.string().min(1)),
  /** BCH01: 01 cancellation of the whole order, 04 change. */
  purpose: dynamic(z.enum(['01', '04'])),
  /** What marks the change on the order once applied: "860 <ISA13>/<GS06>/<ST02>". */
  change_ref: dynamic(z.string().min(1)),
  lines: dynamic(z.array(ChangeLine)),
  requested_delivery: dynamic(z.string().nullable()).optional(),
  /** sale.order records found by the PO number (0 or 1): id, name, origin. */
  order: dynamic(
    z.array(
      z.object({ id: z.int(), name: z.string(), origin: z.union([z.string(), z.literal(false)]) }),
    ),
  ),
  sale_lines: dynamic(
    z.array(
      z.object({
        id: z.int(),
        product_id: odooRef,
        product_uom_qty: z.number(),
        qty_delivered: z.number().optional(),
        price_unit: z.number(),
      }),
    ),
  ),
  /** The order's outgoing deliveries: name, state. */
  pickings: dynamic(z.array(z.object({ name: z.string(), state: z.string() }))),
  products: dynamic(
    z.array(
      z.object({
        id: z.int(),
        default_code: z.union([z.string(), z.literal(false)]),
        barcode: z.union([z.string(), z.literal(false)]),
        list_price: z.number(),
      }),
    ),
  ),
});
type ChangeConfig = z.output<typeof ChangeConfig>;
type Cfg<K extends keyof ChangeConfig> = Exclude<ChangeConfig[K], string>;

/** Why the change cannot be applied at all, or null. */
async function refusal(
  db: Kysely<Database>,
  partner: EdiPartner,
  c: {
    po: string;
    purpose: string;
    order: Cfg<'order'>;
    pickings: Cfg<'pickings'>;
  },
): Promise<string | null> {
  if (c.order.length === 0) return `no sale order of ${partner.name} has the PO number ${c.po}`;
  if (c.purpose === '01')
    return 'a cancellation of the whole order is made in Odoo by the EDI coordinator';
  const done = c.pickings.find((p) => p.state === 'done');
  if (done) return `delivery ${done.name} has been shipped`;
  if ((await documentBodiesAbout(db, partner.code, ['856'], c.po)).length > 0)
    return 'the goods have left: our ship notice (856) was sent';
  return null;
}

export function planChangeStep(deps: {
  db: () => Kysely<Database> | null;
  partner(code: string): EdiPartner | undefined;
}): StepType<ChangeConfig> {
  return {
    type: 'edi.plan_change',
    description:
      'Plans an EDI 860 against its sale order; output { refused, mark, values, ack_lines, order_name, problems }',
    config: ChangeConfig as z.ZodType<ChangeConfig>,
    sideEffect: false,
    async execute(_ctx, config) {
      const code = config.partner as string;
      const partner = deps.partner(code);
      const db = deps.db();
      if (!partner || !db)
        throw new CrossdockError('EDI_PARTNER_UNKNOWN', `No EDI partner "${code}"`, {
          category: 'user',
          retryable: false,
        });
      const po = config.po_number as string;
      const order = config.order as Cfg<'order'>;
      const changeLines = config.lines as Cfg<'lines'>;
      const refused = await refusal(db, partner, {
        po,
        purpose: config.purpose as string,
        order,
        pickings: config.pickings as Cfg<'pickings'>,
      });
      const plan = refused
        ? { commands: [], lines: [] as PlannedChangeLine[] }
        : planChange(
            partner,
            changeLines,
            await acknowledgedLines(db, partner.code, po),
            config.sale_lines as Cfg<'sale_lines'>,
            config.products as Cfg<'products'>,
          );
      const ackLines = refused
        ? changeLines.map((c) => ({
            lineNumber: c.line,
            change: c.change,
            quantity: c.quantity,
            uom: c.uom,
            unitPrice: c.unit_price,
            items: c.items,
            status: 'IR' as const,
            reason: refused,
          }))
        : plan.lines;
      const origin = typeof order[0]?.origin === 'string' ? order[0].origin : '';
      const mark = config.change_ref as string;
      const requested = config.requested_delivery;
      return {
        kind: 'done',
        output: {
          refused,
          mark,
          order_id: order[0]?.id ?? null,
          order_name: order[0]?.name ?? null,
          values: {
            order_line: plan.commands,
            origin: origin === '' ? mark : `${origin} | ${mark}`,
            ...(typeof requested === 'string' ? { commitment_date: `${requested} 12:00:00` } : {}),
          },
          ack_lines: ackLines,
          rejected: ackLines.filter((l) => l.status === 'IR').length,
          problems: [
            ...(refused ? [refused] : []),
            ...plan.lines
              .filter((l) => l.reason !== null)
              .map((l) => `line ${l.lineNumber}: ${l.reason}`),
          ],
        },
      };
    },
    describe: () => 'would plan the order change against the sale order read',
  };
}
