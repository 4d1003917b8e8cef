/**
 * Customer invoices (account.move, account.move.line). As recorded: a draft invoice is
 * named "/", action_post names it INV/<year>/<number>, sets invoice_date to today when
 * empty and returns false; payment_state stays "not_paid".
 */
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { roundHalfUp } from '../orm/wire.ts';
import { defineModel } from './define.ts';
import { mailThreadMethods } from './mail.ts';

function linesOf(env: Env, moveId: number, displayType?: string): number[] {
  return env.tx.ids('account.move.line').filter((id) => {
    const line = env.row('account.move.line', id);
    return line?.move_id === moveId && (displayType === undefined || line.display_type === displayType);
  });
}

async function actionPost(env: Env, { args }: MethodCall): Promise<boolean> {
  for (const id of toIds(args[0])) {
    const move = env.row('account.move', id) ?? {};
    const invoiceDate = typeof move.invoice_date === 'string' ? move.invoice_date : env.today();
    const year = invoiceDate.slice(0, 4);
    const number = env.runtime.store.nextSequenceNumber(`account.move.INV.${year}`);
    await env.write('account.move', [id], { name: `INV/${year}/${String(number).padStart(5, '0')}`, state: 'posted', invoice_date: invoiceDate });
  }
  return false;
}

const MOVE_TYPES = [['entry', 'Journal Entry'], ['out_invoice', 'Customer Invoice'], ['out_refund', 'Customer Credit Note'], ['in_invoice', 'Vendor Bill'], ['in_refund', 'Vendor Credit Note']] as const;

export const accountModels: ModelDef[] = [
  defineModel({
    name: 'account.move',
    description: 'Journal Entry',
    order: 'date desc, name desc, id desc',
    fields: {
      name: f.char('Number', { default: () => '/' }),
      ref: f.char('Reference'),
      date: f.date('Date', { default: (env) => env.today() }),
      move_type: f.selection('Type', MOVE_TYPES, { required: true, default: () => 'entry' }),
      state: f.selection('Status', [['draft', 'Draft'], ['posted', 'Posted'], ['cancel', 'Cancelled']], { default: () => 'draft' }),
      payment_state: f.selection('Payment Status', [['not_paid', 'Not Paid'], ['in_payment', 'In Payment'], ['paid', 'Paid'], ['partial', 'Partially Paid'], ['reversed', 'Reversed']], {
        default: () => 'not_paid',
      }),
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
      amount_residual: f.money('Amount Due', { compute: (_env, row: Row) => (row.payment_state === 'paid' ? 0 : Number(row.amount_total ?? 0)) }),
      line_ids: f.o2m('account.move.line', 'move_id', 'Journal Items'),
      invoice_line_ids: f.o2m('account.move.line', 'move_id', 'Invoice lines', { compute: (env, row) => linesOf(env, Number(row.id), 'product') }),
      reversed_entry_id: f.m2o('account.move', 'Reversal of'),
    },
    methods: { ...mailThreadMethods('account.move'), action_post: actionPost },
  }),
  defineModel({
    name: 'account.move.line',
    description: 'Journal Item',
    order: 'date desc, move_name desc, id',
    fields: {
      move_id: f.m2o('account.move', 'Journal Entry', { required: true }),
      move_name: f.char('Number', { compute: (env, row) => env.row('account.move', Number(row.move_id))?.name ?? false }),
      date: f.date('Date', { compute: (env, row) => env.row('account.move', Number(row.move_id))?.date ?? false }),
      display_type: f.selection('Display Type', [['product', 'Product'], ['tax', 'Tax'], ['payment_term', 'Payment Term'], ['line_section', 'Section'], ['line_note', 'Note']]),
      name: f.char('Label'),
      product_id: f.m2o('product.product', 'Product'),
      quantity: f.float('Quantity'),
      price_unit: f.float('Unit Price'),
      discount: f.float('Discount (%)'),
      balance: f.money('Balance'),
      price_subtotal: f.money('Subtotal'),
      sale_line_ids: f.m2m('sale.order.line', 'Sales Order Lines'),
    },
  }),
];

/** Creates the draft customer invoice of an order for what is delivered and not invoiced. */
export async function createInvoice(env: Env, orderId: number, lines: Array<{ lineId: number; quantity: number }>): Promise<number> {
  const sudo = env.sudo();
  const order = sudo.row('sale.order', orderId) ?? {};
  const partner = sudo.row('res.partner', Number(order.partner_invoice_id ?? order.partner_id)) ?? {};
  const term = typeof partner.property_payment_term_id === 'number' ? sudo.row('account.payment.term', partner.property_payment_term_id) : undefined;
  const due = new Date(env.now().getTime() + Number(term?.days ?? 0) * 86_400_000).toISOString().slice(0, 10);
  const invoice = await sudo.create('account.move', {
    move_type: 'out_invoice', partner_id: order.partner_invoice_id ?? order.partner_id, invoice_origin: order.name,
    invoice_date_due: due, invoice_payment_term_id: term === undefined ? false : partner.property_payment_term_id,
  });
  let untaxed = 0;
  let tax = 0;
  for (const { lineId, quantity } of lines) {
    const line = sudo.row('sale.order.line', lineId) ?? {};
    const subtotal = roundHalfUp(quantity * Number(line.price_unit ?? 0) * (1 - Number(line.discount ?? 0) / 100), 2);
    untaxed += subtotal;
    tax += roundHalfUp(subtotal * 0.15, 2);
    await sudo.create('account.move.line', {
      move_id: invoice, display_type: 'product', name: line.name ?? false, product_id: line.product_id ?? false, quantity,
      price_unit: line.price_unit ?? 0, discount: line.discount ?? 0, price_subtotal: subtotal, balance: -subtotal, sale_line_ids: [[6, 0, [lineId]]],
    });
  }
  const total = roundHalfUp(untaxed + tax, 2);
  await sudo.create('account.move.line', { move_id: invoice, display_type: 'tax', name: 'Tax 15%', balance: -roundHalfUp(tax, 2) });
  await sudo.create('account.move.line', { move_id: invoice, display_type: 'payment_term', name: '', balance: total });
  await sudo.write('account.move', [invoice], { amount_untaxed: roundHalfUp(untaxed, 2), amount_tax: roundHalfUp(tax, 2), amount_total: total });
  return invoice;
}
