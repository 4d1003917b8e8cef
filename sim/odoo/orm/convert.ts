/**
 * Converts values given to create/write into stored values, failing the way Odoo 17
 * (and PostgreSQL underneath it) fails on bad input: see error-selection-invalid-value,
 * error-wrong-type-float-string and error-wrong-type-many2one-name.
 */
import { py, pyStringRepr, PyError } from '../errors.ts';
import type { FieldDef } from './fields.ts';

export type X2manyCommandList = unknown[];

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Odoo's HTML sanitizer wraps plain text in a paragraph. */
export function toHtml(value: string): string {
  if (value === '' || /^\s*</.test(value)) return value;
  return `<p>${escapeHtml(value)}</p>`;
}

function toFloat(value: unknown): number {
  if (value === false || value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
    return Number(value);
  throw py.valueError(`could not convert string to float: ${pyStringRepr(String(value))}`);
}

function toInteger(value: unknown): number {
  if (value === false || value === null) return 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  throw py.valueError(`invalid literal for int() with base 10: ${pyStringRepr(String(value))}`);
}

function toRecordId(value: unknown): number | false {
  if (value === false || value === null || value === undefined) return false;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  // PostgreSQL refuses the literal when it builds the INSERT/UPDATE (no id consumed).
  throw new PyError(
    'psycopg2.errors.InvalidTextRepresentation',
    `invalid input syntax for type integer: "${String(value)}"\nLINE 1: ...(simulated SQL)\n`,
  );
}

function toDatetime(value: unknown): string | false {
  if (value === false || value === null) return false;
  if (typeof value === 'string') {
    const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}))?(?:\.\d+)?$/.exec(value);
    if (match !== null) return `${match[1]} ${match[2] ?? '00:00:00'}`;
  }
  throw py.valueError(
    `time data ${pyStringRepr(String(value))} does not match format '%Y-%m-%d %H:%M:%S'`,
  );
}

function toDate(value: unknown): string | false {
  if (value === false || value === null) return false;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  throw py.valueError(`time data ${pyStringRepr(String(value))} does not match format '%Y-%m-%d'`);
}

function toText(value: unknown): string | false {
  if (value === false || value === null) return false;
  return String(value);
}

/** The stored form of a scalar field value (x2many values are handled as commands). */
export function convertScalar(
  model: string,
  name: string,
  field: FieldDef,
  value: unknown,
): unknown {
  switch (field.type) {
    case 'float':
    case 'monetary':
      return toFloat(value);
    case 'integer':
      return toInteger(value);
    case 'boolean':
      return Boolean(value);
    case 'many2one':
      return toRecordId(value);
    case 'datetime':
      return toDatetime(value);
    case 'date':
      return toDate(value);
    case 'html':
      return typeof value === 'string' ? toHtml(value) : toText(value);
    case 'selection':
      if (value === false || value === null) return false;
      if (!field.selection?.some(([key]) => key === value)) {
        throw py.valueError(`Wrong value for ${model}.${name}: ${pyStringRepr(String(value))}`);
      }
      return value;
    case 'char':
    case 'text':
      return toText(value);
    default:
      return value;
  }
}

/** x2many values as a list of commands; a plain list of ids means "set". */
export function toCommands(value: unknown): unknown[][] {
  if (value === false || value === null) return [[5, 0, 0]];
  if (!Array.isArray(value))
    throw py.valueError(`Wrong value for x2many field: ${JSON.stringify(value)}`);
  if (value.every((item) => typeof item === 'number')) return [[6, 0, value]];
  return value.map((command) => {
    if (!Array.isArray(command) || typeof command[0] !== 'number') {
      throw py.valueError(`Invalid x2many command ${JSON.stringify(command)}`);
    }
    return command;
  });
}
