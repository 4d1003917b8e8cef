/**
 * Python's json.dumps as Odoo uses it for webhook bodies: ", " and ": " separators,
 * optional sort_keys and indent, floats written with a decimal point ("71.0").
 */
import { PyFloat } from '../orm/wire.ts';

export interface PyJsonOptions {
  sortKeys?: boolean;
  indent?: number;
}

function pyFloatText(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}, depth = 0): string {
  const newline =
    options.indent === undefined ? '' : `\n${' '.repeat(options.indent * (depth + 1))}`;
  const closing = options.indent === undefined ? '' : `\n${' '.repeat(options.indent * depth)}`;
  const separator = options.indent === undefined ? ', ' : ',';
  if (value instanceof PyFloat) return pyFloatText(value.value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${newline}${value.map((item) => pyJsonDumps(item, options, depth + 1)).join(`${separator}${newline}`)}${closing}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  if (options.sortKeys === true) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const members = entries.map(
    ([key, member]) => `${JSON.stringify(key)}: ${pyJsonDumps(member, options, depth + 1)}`,
  );
  return `{${newline}${members.join(`${separator}${newline}`)}${closing}}`;
}
