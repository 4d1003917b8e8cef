/**
 * Helpers for the way Odoo encodes values on the wire (observed on Odoo 17, see
 * test/fixtures/odoo17/README.md "Value encoding"):
 * - many2one reads as `[id, "display name"]`, but webhook payloads and writes use a bare id;
 * - an empty value of any type except boolean is `false`, never null;
 * - datetimes are naive UTC strings "YYYY-MM-DD HH:MM:SS", dates "YYYY-MM-DD";
 * - a recordset returned by a method is serialized as a string like "mail.activity(18,)".
 * Every helper refuses a value it does not recognise instead of guessing.
 */
import { CrossdockError } from '../../errors/index.ts';

export type Many2oneValue = readonly [id: number, displayName: string];

function invalidValue(message: string, value: unknown): CrossdockError {
  return new CrossdockError('ODOO_VALUE_INVALID', `${message}: ${describe(value)}`, {
    category: 'bug',
    retryable: false,
  });
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isRecordId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** True for `[id, "name"]`, the shape many2one fields have in `read` / `search_read`. */
export function isMany2onePair(value: unknown): value is Many2oneValue {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    isRecordId(value[0]) &&
    typeof value[1] === 'string'
  );
}

/** The id of a many2one in any of its wire forms (`[id, name]`, bare id); `false` means none. */
export function many2oneId(value: unknown): number | null {
  if (value === false) return null;
  if (isRecordId(value)) return value;
  if (isMany2onePair(value)) return value[0];
  throw invalidValue('not a many2one value', value);
}

/** The display name of a many2one read as `[id, name]`; `false` means none. A bare id has no name. */
export function many2oneName(value: unknown): string | null {
  if (value === false) return null;
  if (isMany2onePair(value)) return value[1];
  throw invalidValue('not a many2one pair [id, name]', value);
}

/**
 * Turns Odoo's "empty" marker into null for a non-boolean field. Only `false` is empty:
 * null/undefined are not what Odoo sends and are refused rather than passed through.
 */
export function fromOdooOptional<T>(value: T | false): Exclude<T, false> | null {
  if (value === false) return null;
  if (value === null || value === undefined)
    throw invalidValue('Odoo encodes empty values as false', value);
  return value as Exclude<T, false>;
}

/** The inverse of fromOdooOptional: null becomes `false`, as Odoo expects in writes. */
export function toOdooOptional<T>(value: T | null): T | false {
  return value === null ? false : value;
}

const DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads a naive UTC datetime as Odoo sends it ("YYYY-MM-DD HH:MM:SS", optionally with
 * microseconds as in webhook `write_date`, or with the ISO "T" separator).
 */
export function parseOdooDatetime(value: string): Date {
  const match = DATETIME_PATTERN.exec(value);
  if (match === null) throw invalidValue('not an Odoo datetime "YYYY-MM-DD HH:MM:SS"', value);
  const [, year, month, day, hour, minute, second, fraction] = match;
  const ms = fraction === undefined ? 0 : Math.floor(Number(fraction.padEnd(6, '0')) / 1000);
  const date = new Date(
    Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
      ms,
    ),
  );
  if (formatOdooDate(date) !== `${year}-${month}-${day}`)
    throw invalidValue('not a calendar datetime', value);
  return date;
}

/** Writes a Date as the naive UTC string Odoo stores ("YYYY-MM-DD HH:MM:SS", seconds precision). */
export function formatOdooDatetime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw invalidValue('invalid Date', String(date));
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Reads an Odoo date ("YYYY-MM-DD") as midnight UTC. */
export function parseOdooDate(value: string): Date {
  const match = DATE_PATTERN.exec(value);
  if (match === null) throw invalidValue('not an Odoo date "YYYY-MM-DD"', value);
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || formatOdooDate(date) !== value)
    throw invalidValue('not a calendar date', value);
  return date;
}

/** Writes the UTC calendar day of a Date as "YYYY-MM-DD". */
export function formatOdooDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw invalidValue('invalid Date', String(date));
  return date.toISOString().slice(0, 10);
}

/** An optional datetime field as read: `false` becomes null. */
export function optionalOdooDatetime(value: unknown): Date | null {
  if (value === false) return null;
  if (typeof value !== 'string') throw invalidValue('not an Odoo datetime or false', value);
  return parseOdooDatetime(value);
}

export interface RecordsetReference {
  model: string;
  ids: number[];
}

const RECORDSET_PATTERN = /^([a-z0-9_]+(?:\.[a-z0-9_]+)+)\(((?:\d+(?:, ?\d+)*,?)?)\)$/;

/**
 * Parses the string a JSON-RPC call returns when the Odoo method returned a recordset,
 * e.g. "mail.activity(18,)" (the Python repr of the recordset). Returns null for any
 * other string so callers can tell the two apart.
 */
export function parseRecordsetString(value: string): RecordsetReference | null {
  const match = RECORDSET_PATTERN.exec(value);
  if (match === null) return null;
  const [, model, idList] = match;
  if (model === undefined) return null;
  const ids = (idList ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  return { model, ids };
}

/** The ids a method returned either as a recordset string, a list of ids or a single id. */
export function recordIdsFromResult(value: unknown): number[] {
  if (typeof value === 'string') {
    const recordset = parseRecordsetString(value);
    if (recordset !== null) return recordset.ids;
  }
  if (isRecordId(value)) return [value];
  if (Array.isArray(value) && value.every(isRecordId)) return [...value];
  throw invalidValue('not a record id, id list or recordset string', value);
}
