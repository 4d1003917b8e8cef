/**
 * Journal entries: customer invoices and credit notes (account.move, account.move.line).
 * As recorded: a draft is named "/" and displayed "Draft Invoice (* 29)"; an invoice made
 * from an order has ref "" (o2c-09); posting is in invoice-post.ts, line amounts and totals
 * in invoice-lines.ts, the credit-note wizard in reversal.ts.
 */
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel } from './define.ts';
import { addBalancingLines, moveLinesOf, recomputeMoveTotals } from './invoice-lines.ts';
import { actionPost, residualOf } from './invoice-post.ts';
import { mailThreadMethods } from './mail.ts';

const DRAFT_LABEL: Readonly<Record<string, string>> = {
  out_invoice: 'Draft Invoice',
  out_refund: 'Draft Credit Note',
  in_invoice: 'Draft Bill',
  in_refund: 'Draft Vendor Credit Note',
  entry: 'Draft Entry',
};

/** Python's textwrap.shorten(text, width, placeholder=" [...]"), which Odoo uses for the ref in a move's display name. */
function shorten(text: string, width: number): string {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const joined = words.join(' ');
  if (joined.length <= width) return joined;
  let out = '';
  for (const word of words) {
    const next = out === '' ? word : `${out} ${word}`;
    if (next.length + ' [...]'.length > width) break;
    out = next;
  }
  return `${out} [...]`.trim();
}

/** Odoo 17's _get_move_display_name(show_ref=True): "Draft Invoice (* 29)", "INV/2026/00005", then " (<ref>)". */
function moveDisplayName(row: Row): string {
  const draft =
    row.state === 'draft' ? `${DRAFT_LABEL[String(row.move_type)] ?? 'Draft Entry'} ` : '';
  const name =
    typeof row.name === 'string' && row.name !== '/' && row.name !== ''
      ? row.name
      : `(* ${String(row.id)})`;
  const ref = typeof row.ref === 'string' && row.ref !== '' ? ` (${shorten(row.ref, 50)})` : '';
  return `${draft}${name}${ref}`;
}

async function recomputeEditedMoves(
  env: Env,
  ids: number[],
  vals: Record<string, unknown>,
): Promise<void> {
  if (!('invoice_line_ids' in vals) && !('line_ids' in vals)) return;
  for (const id of ids) await recomputeMoveTotals(env, id);
}

const MOVE_TYPES = [
  ['entry', 'Journal Entry'],
  ['out_invoice', 'Customer Invoice'],
  ['out_refund', 'Customer Credit Note'],
  ['in_invoice', 'Vendor Bill'],
  ['in_refund', 'Vendor Credit Note'],
] as const;

export const accountModels: ModelDef[] = [
  defineModel({
    name: 'account.move',
    description: 'Journal Entry',
    order: 'date desc, name desc, id desc',
    displayName: (_env, row) => moveDisplayName(row),
    fields: {
      name: f.char('Number', { default: () => '/' }),
      ref: f.char('Reference'),
      date: f.date('Date', { default: (env) => env.today() }),
      move_type: f.selection('Type', MOVE_TYPES, { required: true, default: () => 'entry' }),
      state: f.selection(
        'Status',
        [
          ['draft', 'Draft'],
          ['posted', 'Posted'],
          ['cancel', 'Cancelled'],
        ],
        { default: () => 'draft' },
      ),
      payment_state: f.selection(
        'Payment Status',
        [
          ['not_paid', 'Not Paid'],
          ['in_payment', 'In Payment'],
          ['paid', 'Paid'],
          ['partial', 'Partially Paid'],
          ['reversed', 'Reversed'],
        ],
        {
          default: () => 'not_paid',
        },
      ),
      partner_id: f.m2o('res.partner', 'Partner'),
      invoice_origin: f.char('Origin'),
      invoice_date: f.date('Invoice/Bill Date'),
      invoice_date_due: f.date('Due Date'),
      invoice_payment_term_id: f.m2o('account.payment.term', 'Payment Terms'),
      currency_id: f.m2o('res.currency', 'Currency', { default: () => 1 }),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
      amount_untaxed: f.money('Untaxed Amount'),
      amount_tax: f.money('Tax'),
      amount_total: f.money('Total'),
      amount_residual: f.money('Amount Due', { compute: (env, row: Row) => residualOf(env, row) }),
      line_ids: f.o2m('account.move.line', 'move_id', 'Journal Items'),
      invoice_line_ids: f.o2m('account.move.line', 'move_id', 'Invoice lines', {
        compute: (env, row) => moveLinesOf(env, Number(row.id), 'product'),
      }),
      journal_id: f.m2o('account.journal', 'Journal', {
        default: (_env, vals) => (String(vals.move_type ?? '').startsWith('in_') ? 2 : 1),
      }),
      payment_reference: f.char('Payment Reference'),
      reversed_entry_id: f.m2o('account.move', 'Reversal of'),
      reversal_move_id: f.o2m('account.move', 'reversed_entry_id', 'Reversal Move'),
    },
    hooks: { afterWrite: recomputeEditedMoves },
    methods: { ...mailThreadMethods('account.move'), action_post: actionPost },
  }),
  defineModel({
    name: 'account.move.line',
    description: 'Journal Item',
    order: 'date desc, move_name desc, id',
    fields: {
      move_id: f.m2o('account.move', 'Journal Entry', { required: true }),
      move_name: f.char('Number', {
        compute: (env, row) => env.row('account.move', Number(row.move_id))?.name ?? false,
      }),
      date: f.date('Date', {
        compute: (env, row) => env.row('account.move', Number(row.move_id))?.date ?? false,
      }),
      display_type: f.selection('Display Type', [
        ['product', 'Product'],
        ['tax', 'Tax'],
        ['payment_term', 'Payment Term'],
        ['line_section', 'Section'],
        ['line_note', 'Note'],
      ]),
      name: f.char('Label'),
      product_id: f.m2o('product.product', 'Product'),
      quantity: f.float('Quantity'),
      price_unit: f.float('Unit Price'),
      discount: f.float('Discount (%)'),
      balance: f.money('Balance'),
      price_subtotal: f.money('Subtotal'),
      price_total: f.money('Total'),
      product_uom_id: f.m2o('uom.uom', 'Unit of Measure'),
      tax_ids: f.m2m('account.tax', 'Taxes'),
      account_id: f.m2o('account.account', 'Account'),
      purchase_line_id: f.m2o('purchase.order.line', 'Purchase Order Line'),
      sale_line_ids: f.m2m('sale.order.line', 'Sales Order Lines'),
    },
  }),
];

/** Creates the draft customer invoice of an order for what is delivered and not invoiced. */
export async function createInvoice(
  env: Env,
  orderId: number,
  lines: Array<{ lineId: number; quantity: number }>,
): Promise<number> {
  const sudo = env.sudo();
  const order = sudo.row('sale.order', orderId) ?? {};
  const partner =
    sudo.row('res.partner', Number(order.partner_invoice_id ?? order.partner_id)) ?? {};
  const term =
    typeof partner.property_payment_term_id === 'number'
      ? sudo.row('account.payment.term', partner.property_payment_term_id)
      : undefined;
  const due = new Date(env.now().getTime() + Number(term?.days ?? 0) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  // ref is an empty string, not false, on invoices made from an order (o2c-09).
  const invoice = await sudo.create('account.move', {
    move_type: 'out_invoice',
    partner_id: order.partner_invoice_id ?? order.partner_id,
    invoice_origin: order.name,
    ref: '',
    invoice_date_due: due,
    invoice_payment_term_id: term === undefined ? false : partner.property_payment_term_id,
  });
  for (const { lineId, quantity } of lines) {
    const line = sudo.row('sale.order.line', lineId) ?? {};
    await sudo.create('account.move.line', {
      move_id: invoice,
      display_type: 'product',
      name: line.name ?? false,
      product_id: line.product_id ?? false,
      quantity,
      product_uom_id: line.product_uom ?? 1,
      price_unit: line.price_unit ?? 0,
      discount: line.discount ?? 0,
      tax_ids: [[6, 0, Array.isArray(line.tax_id) ? line.tax_id : []]],
      account_id: 24,
      sale_line_ids: [[6, 0, [lineId]]],
    });
  }
  await addBalancingLines(sudo, invoice);
  return invoice;
}
