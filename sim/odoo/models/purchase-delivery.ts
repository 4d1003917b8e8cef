/**
 * Delivery carriers (purchase orders are in purchase-order.ts). The carrier's field list
 * is exactly the one Odoo 17 returned for a search_read without `fields`
 * (execute_kw-search_read-no-fields), so "every field" reads match.
 */
import { f } from '../orm/fields.ts';
import type { ModelDef } from '../orm/model.ts';
import { defineModel } from './define.ts';

export const deliveryModels: ModelDef[] = [
  defineModel({
    name: 'delivery.carrier',
    description: 'Shipping Methods',
    order: 'sequence, id',
    fields: {
      name: f.char('Delivery Method', { required: true }),
      active: f.bool('Active', { default: () => true }),
      sequence: f.int('Sequence'),
      delivery_type: f.selection(
        'Provider',
        [
          ['base_on_rule', 'Based on Rules'],
          ['fixed', 'Fixed Price'],
        ],
        { required: true },
      ),
      integration_level: f.selection('Integration Level', [
        ['rate', 'Get Rate'],
        ['rate_and_ship', 'Get Rate and Create Shipment'],
      ]),
      prod_environment: f.bool('Environment'),
      debug_logging: f.bool('Debug logging'),
      company_id: f.m2o('res.company', 'Company'),
      product_id: f.m2o('product.product', 'Delivery Product', { required: true }),
      currency_id: f.m2o('res.currency', 'Currency', { default: () => 1 }),
      invoice_policy: f.selection('Invoicing Policy', [
        ['estimated', 'Estimated cost'],
        ['real', 'Real cost'],
      ]),
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
