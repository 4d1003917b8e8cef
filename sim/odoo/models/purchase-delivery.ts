/**
 * Read-mostly models the fixtures query: purchase orders and delivery carriers. A
 * purchase order can be created (named "P000NN") and confirmed with button_confirm, as
 * 55-56 of the Odoo 19 set do; confirming creates no receipt here. The carrier's field list is exactly the one Odoo 17 returned for a search_read without
 * `fields` (execute_kw-search_read-no-fields), so "every field" reads match.
 */
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import { py } from '../errors.ts';
import type { ModelDef } from '../orm/model.ts';
import { defineModel } from './define.ts';
import { mailThreadMethods } from './mail.ts';

/** RFQs become purchase orders; anything else is left as it is, as Odoo does. */
async function confirmPurchases(env: Env, idsArgument: unknown): Promise<boolean> {
  for (const id of toIds(idsArgument)) {
    const state = String(env.row('purchase.order', id)?.state ?? '');
    if (state === '') throw py.missingError(`Record does not exist or has been deleted.\n(Record: purchase.order(${id},), User: ${env.uid})`);
    if (state === 'draft' || state === 'sent') await env.write('purchase.order', [id], { state: 'purchase', date_approve: env.nowString(), receipt_status: 'pending' });
  }
  return true;
}

export const purchaseModels: ModelDef[] = [
  defineModel({
    name: 'purchase.order',
    description: 'Purchase Order',
    order: 'priority desc, id desc',
    fields: {
      name: f.char('Order Reference', { required: true }),
      priority: f.selection('Priority', [['0', 'Normal'], ['1', 'Urgent']]),
      state: f.selection('Status', [['draft', 'RFQ'], ['sent', 'RFQ Sent'], ['to approve', 'To Approve'], ['purchase', 'Purchase Order'], ['done', 'Locked'], ['cancel', 'Cancelled']]),
      partner_id: f.m2o('res.partner', 'Vendor', { required: true }),
      partner_ref: f.char('Vendor Reference'),
      date_order: f.datetime('Order Deadline'),
      date_planned: f.datetime('Expected Arrival'),
      date_approve: f.datetime('Confirmation Date'),
      amount_total: f.money('Total'),
      currency_id: f.m2o('res.currency', 'Currency'),
      order_line: f.o2m('purchase.order.line', 'order_id', 'Order Lines'),
      picking_ids: f.m2m('stock.picking', 'Receptions'),
      invoice_status: f.selection('Billing Status', [['no', 'Nothing to Bill'], ['to invoice', 'Waiting Bills'], ['invoiced', 'Fully Billed']]),
      origin: f.char('Source Document'),
      receipt_status: f.selection('Receipt Status', [['pending', 'Not Received'], ['partial', 'Partially Received'], ['full', 'Fully Received']]),
      company_id: f.m2o('res.company', 'Company'),
      user_id: f.m2o('res.users', 'Buyer'),
    },
    hooks: {
      prepareCreate: (env, vals) => ({
        state: 'draft', currency_id: 1, company_id: 1, user_id: env.uid, date_order: env.nowString(), date_planned: env.nowString(), ...vals,
        name: typeof vals.name === 'string' ? vals.name : `P${String(env.runtime.store.nextSequenceNumber('purchase.order')).padStart(5, '0')}`,
      }),
    },
    methods: { ...mailThreadMethods('purchase.order'), button_confirm: (env, { args }) => confirmPurchases(env, args[0]) },
  }),
  defineModel({
    name: 'purchase.order.line',
    description: 'Purchase Order Line',
    order: 'order_id, sequence, id',
    fields: {
      order_id: f.m2o('purchase.order', 'Order Reference', { required: true }),
      sequence: f.int('Sequence'),
      name: f.text('Description'),
      product_id: f.m2o('product.product', 'Product'),
      product_qty: f.float('Quantity'),
      price_unit: f.float('Unit Price'),
    },
  }),
];

export const deliveryModels: ModelDef[] = [
  defineModel({
    name: 'delivery.carrier',
    description: 'Shipping Methods',
    order: 'sequence, id',
    fields: {
      name: f.char('Delivery Method', { required: true }),
      active: f.bool('Active', { default: () => true }),
      sequence: f.int('Sequence'),
      delivery_type: f.selection('Provider', [['base_on_rule', 'Based on Rules'], ['fixed', 'Fixed Price']], { required: true }),
      integration_level: f.selection('Integration Level', [['rate', 'Get Rate'], ['rate_and_ship', 'Get Rate and Create Shipment']]),
      prod_environment: f.bool('Environment'),
      debug_logging: f.bool('Debug logging'),
      company_id: f.m2o('res.company', 'Company'),
      product_id: f.m2o('product.product', 'Delivery Product', { required: true }),
      currency_id: f.m2o('res.currency', 'Currency', { default: () => 1 }),
      invoice_policy: f.selection('Invoicing Policy', [['estimated', 'Estimated cost'], ['real', 'Real cost']]),
      country_ids: f.m2m('res.country', 'Countries'),
      state_ids: f.m2m('res.country.state', 'States'),
      zip_prefix_ids: f.m2m('delivery.zip.prefix', 'Zip Prefixes'),
      carrier_description: f.text('Carrier Description'),
      margin: f.float('Margin'),
      fixed_margin: f.float('Fixed Margin'),
      free_over: f.bool('Free if order amount is above'),
      amount: f.float('Amount'),
      can_generate_return: f.bool('Can Generate Return'),
      return_label_on_delivery: f.bool('Generate Return Label'),
      get_return_label_from_portal: f.bool('Return Label Accessible from Customer Portal'),
      supports_shipping_insurance: f.bool('Supports Shipping Insurance'),
      shipping_insurance: f.int('Insurance Percentage'),
      price_rule_ids: f.o2m('delivery.price.rule', 'carrier_id', 'Pricing Rules'),
      fixed_price: f.float('Fixed Price'),
      route_ids: f.m2m('stock.route', 'Routes'),
    },
  }),
];
