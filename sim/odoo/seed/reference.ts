/**
 * Reference data of the lab database (companies, users, currencies, terms, taxes,
 * external ids, chatter subtypes) and the ir.model / ir.model.fields rows, whose ids
 * are the lab's where a fixture shows them (sale.order is ir.model 560, its `state`
 * field 7217, the "sale" selection value 1210, ...).
 */
import type { Registry } from '../orm/model.ts';
import type { SeedRows } from './types.ts';

export const referenceRows: SeedRows = {
  'res.currency': [{ id: 1, name: 'USD', symbol: '$' }],
  'res.country': [{ id: 233, name: 'United States', code: 'US' }],
  'uom.uom': [{ id: 1, name: 'Units' }],
  'account.payment.term': [
    { id: 1, name: 'Immediate Payment', days: 0 },
    { id: 2, name: '15 Days', days: 15 },
    { id: 3, name: '21 Days', days: 21 },
    { id: 4, name: '30 Days', days: 30 },
    { id: 5, name: '45 Days', days: 45 },
    { id: 6, name: 'End of Following Month', days: 45 },
  ],
  'account.tax': [
    { id: 1, name: '15%', amount: 15 },
    { id: 2, name: '15%', amount: 15 },
  ],
  'account.journal': [
    { id: 1, name: 'Customer Invoices', code: 'INV', type: 'sale', sequence: 5, company_id: 1 },
    { id: 2, name: 'Vendor Bills', code: 'BILL', type: 'purchase', sequence: 6, company_id: 1 },
  ],
  'account.account': [
    { id: 24, name: 'Product Sales', code: '400000', company_id: 1 },
    { id: 30, name: 'Expenses', code: '600000', company_id: 1 },
  ],
  'product.category': [{ id: 1, name: 'All' }],
  'res.company': [
    {
      id: 1,
      name: 'My Company (San Francisco)',
      sequence: 0,
      partner_id: 1,
      currency_id: 1,
      has_received_warning_stock_sms: false,
    },
    {
      id: 2,
      name: 'My Company (Chicago)',
      sequence: 10,
      partner_id: 41,
      currency_id: 1,
      has_received_warning_stock_sms: false,
    },
  ],
  'res.users': [
    { id: 1, login: '__system__', partner_id: 2, company_id: 1, active: false },
    { id: 2, login: 'admin', partner_id: 3, company_id: 1 },
    { id: 6, login: 'demo', partner_id: 7, company_id: 1 },
    { id: 8, login: 'salesuser', partner_id: 43, company_id: 1 },
  ],
  'ir.config_parameter': [
    { id: 1, key: 'database.uuid', value: '00000000-0000-4000-8000-000000000017' },
    { id: 2, key: 'web.base.url', value: 'http://127.0.0.1:8069' },
  ],
  'ir.model.data': [
    { id: 1, module: 'base', name: 'main_company', model: 'res.company', res_id: 1 },
    { id: 2, module: 'base', name: 'user_admin', model: 'res.users', res_id: 2 },
    { id: 3, module: 'mail', name: 'mt_comment', model: 'mail.message.subtype', res_id: 1 },
    { id: 4, module: 'mail', name: 'mt_note', model: 'mail.message.subtype', res_id: 2 },
    {
      id: 5,
      module: 'sale',
      name: 'mt_order_confirmed',
      model: 'mail.message.subtype',
      res_id: 12,
    },
    {
      id: 6,
      module: 'mail',
      name: 'mail_activity_data_todo',
      model: 'mail.activity.type',
      res_id: 4,
    },
    { id: 7, module: 'mail', name: 'mt_activities', model: 'mail.message.subtype', res_id: 3 },
    { id: 5542, module: 'base', name: 'res_partner_2', model: 'res.partner', res_id: 10 },
  ],
  'mail.message.subtype': [
    { id: 1, name: 'Discussions', sequence: 0 },
    { id: 2, name: 'Note', sequence: 100 },
    { id: 3, name: 'Activities', sequence: 90 },
    { id: 12, name: 'Sales Order Confirmed', sequence: 20 },
  ],
  'mail.activity.type': [
    { id: 1, name: 'Email', sequence: 10 },
    { id: 2, name: 'Call', sequence: 20 },
    { id: 3, name: 'Meeting', sequence: 30 },
    { id: 4, name: 'To-Do', sequence: 40 },
    { id: 5, name: 'Upload Document', sequence: 50 },
  ],
};

/** ir.model ids the fixtures show; other models get ids from 600 up. */
const KNOWN_MODEL_IDS: Readonly<Record<string, number>> = {
  'res.partner': 85,
  'account.move': 450,
  'stock.picking': 498,
  'stock.quant': 499,
  'purchase.order': 552,
  'sale.order': 560,
};

/** ir.model.fields ids the fixtures show (automation-01..05, 11d; p2p-06 of the second recording, whose database kept them). */
const KNOWN_FIELD_IDS: Readonly<Record<string, number>> = {
  'res.partner.name': 869,
  'stock.picking.name': 6131,
  'stock.picking.origin': 6132,
  'stock.picking.state': 6140,
  'stock.picking.scheduled_date': 6143,
  'stock.picking.date_done': 6147,
  'stock.picking.move_ids': 6152,
  'stock.picking.picking_type_code': 6156,
  'stock.picking.partner_id': 6161,
  'stock.picking.sale_id': 7683,
  'stock.picking.carrier_id': 7715,
  'stock.picking.carrier_tracking_ref': 7717,
  'stock.quant.product_id': 6194,
  'stock.quant.location_id': 6199,
  'stock.quant.lot_id': 6203,
  'stock.quant.quantity': 6208,
  'stock.quant.reserved_quantity': 6209,
  'stock.quant.write_date': 6228,
  'sale.order.name': 7214,
  'sale.order.partner_id': 7216,
  'sale.order.state': 7217,
  'sale.order.client_order_ref': 7219,
  'sale.order.commitment_date': 7221,
  'sale.order.date_order': 7222,
  'sale.order.note': 7233,
  'sale.order.currency_id': 7239,
  'sale.order.order_line': 7243,
  'sale.order.amount_total': 7246,
  'sale.order.write_date': 7274,
  'sale.order.picking_ids': 7662,
  'stock.picking.backorder_id': 6134,
  'stock.picking.return_id': 6136,
  'stock.picking.purchase_id': 7111,
  'purchase.order.name': 6807,
  'purchase.order.origin': 6809,
  'purchase.order.partner_ref': 6810,
  'purchase.order.date_order': 6811,
  'purchase.order.date_approve': 6812,
  'purchase.order.partner_id': 6813,
  'purchase.order.currency_id': 6815,
  'purchase.order.state': 6816,
  'purchase.order.order_line': 6817,
  'purchase.order.date_planned': 6822,
  'purchase.order.amount_total': 6827,
  'purchase.order.user_id': 6834,
  'purchase.order.picking_ids': 7092,
  'account.move.name': 4481,
  'account.move.ref': 4482,
  'account.move.state': 4484,
  'account.move.move_type': 4485,
  'account.move.invoice_date': 4515,
  'account.move.invoice_date_due': 4516,
  'account.move.partner_id': 4523,
  'account.move.currency_id': 4535,
  'account.move.amount_total': 4539,
  'account.move.amount_residual': 4540,
  'account.move.payment_state': 4547,
  'account.move.reversed_entry_id': 4549,
  'account.move.invoice_origin': 4562,
};

/** ir.model.fields.selection ids: sale.order state (automation-00), stock.picking state (automation-03/04), purchase.order and account.move states (p2p-07). */
const KNOWN_SELECTION_IDS: Readonly<Record<string, number>> = {
  'sale.order.state.draft': 1208,
  'sale.order.state.sent': 1209,
  'sale.order.state.sale': 1210,
  'sale.order.state.cancel': 1211,
  'stock.picking.state.draft': 985,
  'stock.picking.state.waiting': 986,
  'stock.picking.state.confirmed': 987,
  'stock.picking.state.assigned': 988,
  'stock.picking.state.done': 989,
  'stock.picking.state.cancel': 990,
  'purchase.order.state.purchase': 1142,
  'purchase.order.state.done': 1143,
  'account.move.state.posted': 743,
};

/** One ir.model row per simulated model and one ir.model.fields row per field. */
export function metadataRows(registry: Registry): SeedRows {
  const models: SeedRows[string] = [];
  const fields: SeedRows[string] = [];
  const selections: SeedRows[string] = [];
  let nextModelId = 600;
  let nextFieldId = 20000;
  for (const name of registry.names().sort()) {
    const model = registry.get(name);
    if (model === undefined) continue;
    const modelId = KNOWN_MODEL_IDS[name] ?? nextModelId++;
    models.push({ id: modelId, name: model.description, model: name });
    for (const [fieldName, field] of Object.entries(model.fields)) {
      const fieldId = KNOWN_FIELD_IDS[`${name}.${fieldName}`] ?? nextFieldId++;
      fields.push({
        id: fieldId,
        name: fieldName,
        model: name,
        model_id: modelId,
        ttype: field.type,
        field_description: field.string,
        relation: field.relation ?? false,
      });
      (field.selection ?? []).forEach(([value, label], index) => {
        const selectionId = KNOWN_SELECTION_IDS[`${name}.${fieldName}.${value}`];
        if (selectionId !== undefined)
          selections.push({
            id: selectionId,
            field_id: fieldId,
            value,
            name: label,
            sequence: index,
          });
      });
    }
  }
  return { 'ir.model': models, 'ir.model.fields': fields, 'ir.model.fields.selection': selections };
}
