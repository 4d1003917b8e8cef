/**
 * Checks and converts call arguments before any transport sees them, so every protocol
 * sends the same values: Dates become Odoo's naive UTC "YYYY-MM-DD HH:MM:SS" strings,
 * undefined object members are dropped (as JSON.stringify would), and anything Odoo
 * cannot receive (functions, bigint, NaN, class instances) is refused with its path.
 */
import { CrossdockError } from '../../errors/index.ts';
import { formatOdooDatetime } from './values.ts';

function refuse(path: string, what: string): never {
  throw new CrossdockError('ODOO_INVALID_ARGUMENT', `cannot send ${what} to Odoo at ${path}`, {
    category: 'bug',
    retryable: false,
    details: [{ path, message: `${what} is not a JSON/XML-RPC value` }],
  });
}

export function toWireValue(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number')
    return Number.isFinite(value) ? value : refuse(path, String(value));
  if (value instanceof Date) return formatOdooDatetime(value);
  if (Array.isArray(value))
    return value.map((item, index) => toWireValue(item, `${path}[${index}]`));
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      refuse(path, `an instance of ${value.constructor.name}`);
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = toWireValue(member, `${path}.${key}`);
    }
    return out;
  }
  return refuse(path, typeof value);
}
