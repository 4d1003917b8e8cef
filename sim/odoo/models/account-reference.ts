/**
 * Accounting reference models the invoices point at: journals (1 Customer Invoices "INV",
 * 2 Vendor Bills "BILL" in the lab) and accounts ("400000 Product Sales", id 24; "600000
 * Expenses", id 30, the vendor bills' lines in p2p-47).
 */
import { f } from '../orm/fields.ts';
import type { ModelDef } from '../orm/model.ts';
import { defineModel } from './define.ts';

export const accountReferenceModels: ModelDef[] = [
  defineModel({
    name: 'account.journal',
    description: 'Journal',
    order: 'sequence, type, code',
    fields: {
      name: f.char('Journal Name', { required: true }),
      code: f.char('Short Code', { required: true }),
      type: f.selection(
        'Type',
        [
          ['sale', 'Sales'],
          ['purchase', 'Purchase'],
          ['cash', 'Cash'],
          ['bank', 'Bank'],
          ['general', 'Miscellaneous'],
        ],
        { required: true },
      ),
      sequence: f.int('Sequence'),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    },
  }),
  defineModel({
    name: 'account.account',
    description: 'Account',
    order: 'code, id',
    displayName: (_env, row) => `${String(row.code ?? '')} ${String(row.name ?? '')}`.trim(),
    fields: {
      name: f.char('Account Name', { required: true }),
      code: f.char('Code', { required: true }),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    },
  }),
];
