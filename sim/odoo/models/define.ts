/**
 * Helpers to declare simulated models: every model gets Odoo's automatic fields, and
 * models whose fields_get was recorded take their schema from data/recorded-fields.json.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { magicFields, type FieldDef, type FieldMap, type FieldType } from '../orm/fields.ts';
import type { ModelDef } from '../orm/model.ts';

type RecordedAttributes = Record<string, unknown>;

const recorded = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../data/recorded-fields.json'), 'utf8'),
) as Record<string, Record<string, RecordedAttributes>>;

export function defineModel(model: ModelDef): ModelDef {
  return { ...model, fields: { ...magicFields(), ...model.fields } };
}

function fromRecorded(attributes: RecordedAttributes): FieldDef {
  const field: FieldDef = {
    type: attributes.type as FieldType,
    string: String(attributes.string ?? ''),
    required: attributes.required === true,
    readonly: attributes.readonly === true,
    store: attributes.store !== false,
    recorded: attributes,
  };
  if (typeof attributes.relation === 'string') field.relation = attributes.relation;
  if (Array.isArray(attributes.selection))
    field.selection = attributes.selection as Array<[string, string]>;
  if (typeof attributes.help === 'string') field.help = attributes.help;
  return field;
}

/**
 * The recorded Odoo 17 schema of `model`, in Odoo's field order, with `overrides`
 * (computes, defaults, one2many inverses) merged into the matching fields. Overrides
 * for fields Odoo did not list are refused: the schema stays Odoo's.
 */
export function recordedFields(
  model: string,
  overrides: Record<string, Partial<FieldDef>> = {},
): FieldMap {
  const attributesByField = recorded[model];
  if (attributesByField === undefined) throw new Error(`no recorded fields for ${model}`);
  const fields: FieldMap = {};
  for (const [name, attributes] of Object.entries(attributesByField)) {
    fields[name] = { ...fromRecorded(attributes), ...overrides[name] };
  }
  for (const name of Object.keys(overrides)) {
    if (!(name in fields)) throw new Error(`${model}.${name} is not in the recorded schema`);
  }
  return fields;
}

/** Recorded attributes for a few fields of a model whose full schema was not recorded. */
export function recordedAttributes(model: string, field: string): RecordedAttributes | undefined {
  return recorded[model]?.[field];
}
