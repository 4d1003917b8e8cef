/**
 * Base models: partners, users, companies and the reference data other models point at.
 */
import { py } from '../errors.ts';
import type { Env } from '../orm/env.ts';
import { f, type FieldMap } from '../orm/fields.ts';
import type { ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel } from './define.ts';

function named(name: string, description: string, extra: FieldMap = {}): ModelDef {
  return defineModel({
    name,
    description,
    order: 'name, id',
    fields: { name: f.char('Name', { required: true }), ...extra },
  });
}

/** "Parent, Child" for contacts of a company, as Odoo's complete_name; the stored value wins. */
function partnerDisplayName(env: Env, row: Row): string {
  if (typeof row.complete_name === 'string' && row.complete_name !== '') return row.complete_name;
  const name = typeof row.name === 'string' ? row.name : '';
  if (row.is_company !== true && typeof row.parent_id === 'number')
    return `${env.displayName('res.partner', row.parent_id)}, ${name}`;
  return name;
}

function checkNoRecursion(env: Env, ids: number[], vals: Record<string, unknown>): void {
  if (typeof vals.parent_id !== 'number') return;
  let current: unknown = vals.parent_id;
  const seen = new Set<number>();
  while (typeof current === 'number' && !seen.has(current)) {
    if (ids.includes(current))
      throw py.validationError('You cannot create recursive Partner hierarchies.');
    seen.add(current);
    current = env.row('res.partner', current)?.parent_id;
  }
}

export const partnerModel = defineModel({
  name: 'res.partner',
  description: 'Contact',
  order: 'complete_name, id desc',
  displayName: partnerDisplayName,
  fields: {
    name: f.char('Name'),
    complete_name: f.char('Complete Name', { compute: (env, row) => partnerDisplayName(env, row) }),
    type: f.selection(
      'Address Type',
      [
        ['contact', 'Contact'],
        ['invoice', 'Invoice Address'],
        ['delivery', 'Delivery Address'],
        ['other', 'Other Address'],
      ],
      {
        default: () => 'contact',
      },
    ),
    parent_id: f.m2o('res.partner', 'Related Company'),
    child_ids: f.o2m('res.partner', 'parent_id', 'Contact'),
    is_company: f.bool('Is a Company'),
    email: f.char('Email'),
    phone: f.char('Phone'),
    mobile: f.char('Mobile'),
    street: f.char('Street'),
    street2: f.char('Street2'),
    city: f.char('City'),
    zip: f.char('Zip'),
    country_id: f.m2o('res.country', 'Country'),
    ref: f.char('Reference'),
    vat: f.char('Tax ID'),
    comment: f.html('Notes'),
    credit_limit: f.float('Credit Limit'),
    // Partner tags and the sale module's "Sales Warnings" (Odoo 17: no-message / warning / block).
    category_id: f.m2m('res.partner.category', 'Tags'),
    sale_warn: f.selection(
      'Sales Warnings',
      [
        ['no-message', 'No Message'],
        ['warning', 'Warning'],
        ['block', 'Blocking Message'],
      ],
      { default: () => 'no-message' },
    ),
    sale_warn_msg: f.text('Message for Sales Order'),
    property_payment_term_id: f.m2o('account.payment.term', 'Customer Payment Terms'),
    customer_rank: f.int('Customer Rank'),
    supplier_rank: f.int('Supplier Rank'),
    company_id: f.m2o('res.company', 'Company'),
    user_ids: f.o2m('res.users', 'partner_id', 'Users'),
    active: f.bool('Active', { default: () => true }),
  },
  hooks: { beforeWrite: checkNoRecursion },
});

export const userModel = defineModel({
  name: 'res.users',
  description: 'User',
  order: 'name, login',
  displayName: (env, row) =>
    typeof row.partner_id === 'number'
      ? String(env.row('res.partner', row.partner_id)?.name ?? '')
      : '',
  fields: {
    name: f.char('Name', { compute: (env, row) => env.displayName('res.users', Number(row.id)) }),
    login: f.char('Login', { required: true }),
    partner_id: f.m2o('res.partner', 'Related Partner', { required: true }),
    company_id: f.m2o('res.company', 'Company'),
    share: f.bool('Share User'),
    active: f.bool('Active', { default: () => true }),
  },
});

export const companyModel = defineModel({
  name: 'res.company',
  description: 'Companies',
  order: 'sequence, name',
  fields: {
    name: f.char('Company Name', { required: true }),
    sequence: f.int('Sequence'),
    partner_id: f.m2o('res.partner', 'Partner', { required: true }),
    currency_id: f.m2o('res.currency', 'Currency', { required: true }),
    // stock_sms: set once the company answered the SMS warning of the first delivery.
    has_received_warning_stock_sms: f.bool('Has received warning stock sms'),
  },
});

export const baseReferenceModels: ModelDef[] = [
  named('res.currency', 'Currency', { symbol: f.char('Symbol') }),
  named('res.country', 'Country', { code: f.char('Country Code') }),
  named('uom.uom', 'Product Unit of Measure'),
  named('account.payment.term', 'Payment Terms', { days: f.int('Days') }),
  named('account.tax', 'Tax', { amount: f.float('Amount') }),
  named('product.category', 'Product Category'),
  named('res.partner.category', 'Partner Tags'),
  defineModel({
    name: 'ir.config_parameter',
    description: 'System Parameter',
    order: 'key',
    displayName: (_env, row) => String(row.key ?? ''),
    fields: { key: f.char('Key', { required: true }), value: f.text('Value', { required: true }) },
  }),
  defineModel({
    name: 'ir.model.data',
    description: 'Model Data',
    order: 'module, model, name',
    displayName: (_env, row) => `${String(row.module)}.${String(row.name)}`,
    fields: {
      name: f.char('External Identifier', { required: true }),
      module: f.char('Module', { required: true }),
      model: f.char('Model Name', { required: true }),
      res_id: f.int('Record ID'),
    },
  }),
];

/** env.ref(xmlid): the record id behind an external id, or undefined. */
export function resolveXmlId(env: Env, xmlid: string): { model: string; id: number } | undefined {
  const [module, name] = xmlid.split('.');
  const found = env.sudo().search(
    'ir.model.data',
    [
      ['module', '=', module],
      ['name', '=', name],
    ],
    { limit: 1 },
  )[0];
  if (found === undefined) return undefined;
  const row = env.row('ir.model.data', found);
  return { model: String(row?.model), id: Number(row?.res_id) };
}
