/**
 * Field definitions of the simulated models. A field's `type` decides how its raw value
 * is stored and how `read` encodes it (see read-format.ts):
 * - many2one is stored as an id or false, read as [id, display name];
 * - one2many is not stored: it lists the comodel rows whose `inverse` field points here;
 * - many2many is stored as a list of ids;
 * - date/datetime are stored as Odoo strings ("YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS");
 * - empty values are false, as Odoo sends them.
 */
import type { Env } from './env.ts';
import type { Row } from './store.ts';

export type FieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'integer'
  | 'float'
  | 'monetary'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'selection'
  | 'many2one'
  | 'one2many'
  | 'many2many'
  | 'binary'
  | 'properties'
  | 'reference'
  | 'json';

export interface FieldDef {
  type: FieldType;
  string: string;
  relation?: string;
  /** one2many: the many2one field on `relation` pointing back at this model. */
  inverse?: string;
  selection?: ReadonlyArray<readonly [string, string]>;
  required?: boolean;
  readonly?: boolean;
  /** false for computed, non-stored fields (they cannot trigger automation rules). */
  store?: boolean;
  help?: string;
  /** Computed on read from the row; stored fields without compute read the row. */
  compute?: (env: Env, row: Row) => unknown;
  /** Value for create when the caller gives none. */
  default?: (env: Env, vals: Record<string, unknown>) => unknown;
  /** fields_get attributes recorded from Odoo 17, returned verbatim when present. */
  recorded?: Readonly<Record<string, unknown>>;
}

export type FieldMap = Record<string, FieldDef>;

type Options = Omit<FieldDef, 'type' | 'string' | 'relation' | 'selection'>;

/** Compact constructors: `f.m2o('res.partner', 'Customer', { required: true })`. */
export const f = {
  char: (string: string, options: Options = {}): FieldDef => ({ type: 'char', string, ...options }),
  text: (string: string, options: Options = {}): FieldDef => ({ type: 'text', string, ...options }),
  html: (string: string, options: Options = {}): FieldDef => ({ type: 'html', string, ...options }),
  int: (string: string, options: Options = {}): FieldDef => ({
    type: 'integer',
    string,
    ...options,
  }),
  float: (string: string, options: Options = {}): FieldDef => ({
    type: 'float',
    string,
    ...options,
  }),
  money: (string: string, options: Options = {}): FieldDef => ({
    type: 'monetary',
    string,
    ...options,
  }),
  bool: (string: string, options: Options = {}): FieldDef => ({
    type: 'boolean',
    string,
    ...options,
  }),
  date: (string: string, options: Options = {}): FieldDef => ({ type: 'date', string, ...options }),
  datetime: (string: string, options: Options = {}): FieldDef => ({
    type: 'datetime',
    string,
    ...options,
  }),
  selection: (
    string: string,
    selection: ReadonlyArray<readonly [string, string]>,
    options: Options = {},
  ): FieldDef => ({
    type: 'selection',
    string,
    selection,
    ...options,
  }),
  m2o: (relation: string, string: string, options: Options = {}): FieldDef => ({
    type: 'many2one',
    relation,
    string,
    ...options,
  }),
  o2m: (relation: string, inverse: string, string: string, options: Options = {}): FieldDef => ({
    type: 'one2many',
    relation,
    inverse,
    string,
    ...options,
  }),
  m2m: (relation: string, string: string, options: Options = {}): FieldDef => ({
    type: 'many2many',
    relation,
    string,
    ...options,
  }),
};

/** The automatic fields every model has. */
export function magicFields(): FieldMap {
  return {
    id: f.int('ID', { readonly: true }),
    display_name: f.char('Display Name', { readonly: true, store: false }),
    create_uid: f.m2o('res.users', 'Created by', { readonly: true }),
    create_date: f.datetime('Created on', { readonly: true }),
    write_uid: f.m2o('res.users', 'Last Updated by', { readonly: true }),
    write_date: f.datetime('Last Updated on', { readonly: true }),
  };
}

/** The empty value of a field type as stored and read. */
export function emptyValue(type: FieldType): unknown {
  switch (type) {
    case 'one2many':
    case 'many2many':
      return [];
    case 'integer':
      return 0;
    case 'float':
    case 'monetary':
      return 0;
    default:
      return false;
  }
}
