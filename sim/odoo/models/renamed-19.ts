/**
 * Field names Odoo 19 uses where Odoo 17 had others (test/fixtures/odoo19 README,
 * "Field names changed in 19"), added when the simulator runs as Odoo 19. They are
 * read-only views of the Odoo 17 fields the simulator keeps: sale.order.line
 * `product_uom_id` (product_uom) and `tax_ids` (tax_id), and products' `is_storable`
 * (Odoo 17's type "product"). The Odoo 17 names stay readable, so the models' logic
 * is the same in both versions.
 */
import { f, type FieldMap } from '../orm/fields.ts';
import type { ModelDef } from '../orm/model.ts';

const RENAMED: Readonly<Record<string, FieldMap>> = {
  'sale.order.line': {
    product_uom_id: f.m2o('uom.uom', 'Unit', {
      readonly: true,
      store: false,
      compute: (_env, row) => row.product_uom ?? false,
    }),
    tax_ids: f.m2m('account.tax', 'Taxes', {
      readonly: true,
      store: false,
      compute: (_env, row) => row.tax_id ?? [],
    }),
  },
  'product.product': {
    is_storable: f.bool('Track Inventory', {
      readonly: true,
      store: false,
      compute: (env, row) => env.value('product.product', Number(row.id), 'type') === 'product',
    }),
  },
  'product.template': {
    is_storable: f.bool('Track Inventory', {
      readonly: true,
      store: false,
      compute: (_env, row) => row.type === 'product',
    }),
  },
};

export function withOdoo19FieldNames(model: ModelDef): ModelDef {
  const added = RENAMED[model.name];
  return added === undefined ? model : { ...model, fields: { ...model.fields, ...added } };
}
