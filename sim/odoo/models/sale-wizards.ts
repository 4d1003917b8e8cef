/**
 * Sale wizards used over RPC: sale.advance.payment.inv (create with context
 * active_model/active_ids, then create_invoices returns the invoice window action) and
 * choose.delivery.carrier (button_confirm adds the delivery line and returns None).
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import { createInvoice } from './account.ts';
import { defineModel } from './define.ts';

const NOTHING_TO_INVOICE =
  "Cannot create an invoice. No items are available to invoice.\n\nTo resolve this issue, please ensure that:\n   \u2022 The products have been delivered before attempting to invoice them.\n   \u2022 The invoicing policy of the product is configured correctly.\n\nIf you want to invoice based on ordered quantities instead:\n   \u2022 For consumable or storable products, open the product, go to the 'General Information' tab and change the 'Invoicing Policy' from 'Delivered Quantities' to 'Ordered Quantities'.\n   \u2022 For services (and other products), change the 'Invoicing Policy' to 'Prepaid/Fixed Price'.\n";

const INVOICE_ACTION_HELP =
  '<p class="o_view_nocontent_smiling_face">\n                Create a customer invoice\n              </p><p>\n                Create invoices, register payments and keep track of the discussions with your customers.\n              </p>\n            ';

function ordersOf(env: Env, wizardIds: number[]): number[] {
  const fromWizard = wizardIds.flatMap((id) =>
    toIds(env.row('sale.advance.payment.inv', id)?.sale_order_ids),
  );
  return fromWizard.length > 0 ? fromWizard : toIds(env.context.active_ids);
}

function invoiceAction(env: Env, invoice: number, orderId: number): Record<string, unknown> {
  const order = env.row('sale.order', orderId) ?? {};
  return {
    id: 256,
    name: 'Invoices',
    type: 'ir.actions.act_window',
    xml_id: 'account.action_move_out_invoice_type',
    help: INVOICE_ACTION_HELP,
    binding_model_id: false,
    binding_type: 'action',
    binding_view_types: 'list,form',
    display_name: 'Invoices',
    view_id: [679, 'account.out.invoice.tree'],
    domain: "[('move_type', '=', 'out_invoice')]",
    context: {
      default_move_type: 'out_invoice',
      default_partner_id: order.partner_id ?? false,
      default_partner_shipping_id: order.partner_shipping_id ?? false,
      default_invoice_payment_term_id:
        env.row('account.move', invoice)?.invoice_payment_term_id ?? false,
      default_invoice_origin: order.name ?? false,
    },
    res_id: invoice,
    res_model: 'account.move',
    target: 'current',
    view_mode: 'tree,kanban,form,activity',
    mobile_view_mode: 'kanban',
    views: [
      [686, 'form'],
      [679, 'tree'],
      [false, 'kanban'],
      [false, 'activity'],
    ],
    limit: 80,
    groups_id: [],
    search_view_id: [689, 'account.invoice.select'],
    filter: false,
  };
}

async function createInvoices(env: Env, { args }: MethodCall): Promise<unknown> {
  let last: { invoice: number; order: number } | undefined;
  for (const orderId of ordersOf(env, toIds(args[0]))) {
    const lines = env
      .sudo()
      .search('sale.order.line', [['order_id', '=', orderId]])
      .map((lineId) => ({
        lineId,
        quantity: Number(env.value('sale.order.line', lineId, 'qty_to_invoice')),
      }))
      .filter((line) => line.quantity > 0);
    if (lines.length === 0) throw py.userError(NOTHING_TO_INVOICE);
    const invoice = await createInvoice(env, orderId, lines);
    const current = env.row('sale.order', orderId)?.invoice_ids;
    await env
      .sudo()
      .write('sale.order', [orderId], { invoice_ids: [[6, 0, [...toIds(current), invoice]]] });
    last = { invoice, order: orderId };
  }
  return last === undefined
    ? { type: 'ir.actions.act_window_close' }
    : invoiceAction(env, last.invoice, last.order);
}

async function confirmCarrier(env: Env, { args }: MethodCall): Promise<undefined> {
  for (const id of toIds(args[0])) {
    const wizard = env.row('choose.delivery.carrier', id) ?? {};
    const carrier = env.row('delivery.carrier', Number(wizard.carrier_id)) ?? {};
    await env.write('sale.order', [Number(wizard.order_id)], { carrier_id: wizard.carrier_id });
    await env.create('sale.order.line', {
      order_id: wizard.order_id,
      product_id: carrier.product_id,
      name: carrier.name,
      product_uom_qty: 1,
      price_unit:
        carrier.delivery_type === 'fixed'
          ? Number(carrier.fixed_price ?? 0)
          : Number(wizard.delivery_price ?? 0),
      is_delivery: true,
      sequence: 100,
    });
  }
  return undefined;
}

export const saleWizardModels: ModelDef[] = [
  defineModel({
    name: 'sale.advance.payment.inv',
    description: 'Sales Advance Payment Invoice',
    order: 'id',
    transient: true,
    fields: {
      advance_payment_method: f.selection(
        'Create Invoice',
        [
          ['delivered', 'Regular invoice'],
          ['percentage', 'Down payment (percentage)'],
          ['fixed', 'Down payment (fixed amount)'],
        ],
        {
          default: () => 'delivered',
        },
      ),
      sale_order_ids: f.m2m('sale.order', 'Sales Orders', {
        default: (env) =>
          env.context.active_model === 'sale.order' ? toIds(env.context.active_ids) : [],
      }),
      count: f.int('Order Count'),
    },
    methods: { create_invoices: createInvoices },
  }),
  defineModel({
    name: 'choose.delivery.carrier',
    description: 'Delivery Carrier Selection Wizard',
    order: 'id',
    transient: true,
    fields: {
      order_id: f.m2o('sale.order', 'Order', { required: true }),
      carrier_id: f.m2o('delivery.carrier', 'Shipping Method', { required: true }),
      delivery_price: f.float('Cost'),
      display_price: f.float('Price'),
    },
    methods: { button_confirm: confirmCarrier },
  }),
];
