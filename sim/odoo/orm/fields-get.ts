/**
 * fields_get(allfields, attributes). Where Odoo 17's own answer was recorded (the
 * fields_get fixtures of sale.order, stock.picking, stock.move, base.automation and
 * ir.actions.server), the recorded attributes are returned; other fields get their
 * attributes from the simulator's field definitions.
 */
import type { Env } from './env.ts';
import type { FieldDef } from './fields.ts';

/** Attributes Odoo returns when `attributes` is not given (see execute_kw-fields_get-no-attributes). */
function fullAttributes(name: string, field: FieldDef): Record<string, unknown> {
  const stored = field.store !== false;
  const out: Record<string, unknown> = {
    change_default: false,
    company_dependent: false,
    default_export_compatible: false,
    depends: [],
    exportable: true,
    manual: false,
    name,
    readonly: field.readonly === true,
    required: field.required === true,
    searchable: true,
    sortable: stored && field.type !== 'one2many' && field.type !== 'many2many',
    store: stored,
    string: field.string,
    type: field.type,
  };
  if (field.relation !== undefined) out.relation = field.relation;
  if (field.selection !== undefined)
    out.selection = field.selection.map(([value, label]) => [value, label]);
  if (field.help !== undefined) out.help = field.help;
  return { ...out, ...field.recorded };
}

export function fieldsGet(
  env: Env,
  model: string,
  allfields?: string[],
  attributes?: string[],
): Record<string, unknown> {
  const definition = env.model(model);
  const names =
    allfields === undefined || allfields.length === 0 ? Object.keys(definition.fields) : allfields;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const field = definition.fields[name];
    if (field === undefined) continue;
    const full = fullAttributes(name, field);
    if (attributes === undefined || attributes.length === 0) {
      out[name] = full;
      continue;
    }
    const picked: Record<string, unknown> = {};
    for (const attribute of attributes) {
      if (attribute in full) picked[attribute] = full[attribute];
    }
    // A json field that cannot be searched says so even when `searchable` was not asked for (fg-purchase.order.line).
    if (
      field.type === 'json' &&
      field.recorded?.searchable === false &&
      !attributes.includes('searchable')
    )
      picked.searchable = false;
    out[name] = picked;
  }
  return out;
}
