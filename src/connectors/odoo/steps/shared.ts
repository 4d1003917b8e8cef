/**
 * What every Odoo step shares: the `connection` field, schemas for model names, record
 * ids (bare or the `[id, "name"]` pairs reads return) and values, the reference that
 * marks chatter writes as made by one step position, and the errors the steps raise
 * themselves. Odoo's own failures arrive already mapped by the client and pass through.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CrossdockError } from '../../../errors/index.ts';
import { dynamic, type StepContext } from '../../../workflows/index.ts';
import type { OdooCallOptions, OdooClient } from '../client.ts';
import { isMany2onePair } from '../values.ts';

/** The named Odoo connections a Crossdock instance has (one client per profile). */
export interface OdooClientPool {
  /** The client of connection `name`; throws ODOO_CONNECTION_UNKNOWN naming the known ones. */
  get(connection: string): OdooClient;
}

export const DEFAULT_CONNECTION = 'odoo';

/** The name of a connection profile (OdooProfile.name). */
export const connection = z.string().min(1).default(DEFAULT_CONNECTION);

const MODEL_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;

/** An Odoo model name ("sale.order"), or an expression giving one. */
export const modelName = () =>
  dynamic(z.string().regex(MODEL_NAME, 'an Odoo model name like "sale.order"'));

export const fieldName = () =>
  z.string().regex(FIELD_NAME, 'an Odoo field name like "client_order_ref"');

/** A record id as a workflow may hold it: a bare id, or a many2one pair `[id, "name"]` from a read. */
export const recordIdSchema = z
  .union([z.int().positive(), z.tuple([z.int().positive(), z.string()])])
  .transform((value) => (typeof value === 'number' ? value : value[0]));

/** One id or a list of them (each bare or a pair); always a list once parsed. */
export const recordIdsSchema = z
  .union([recordIdSchema.transform((id) => [id]), z.array(recordIdSchema).min(1)])
  .transform((ids) => [...new Set(ids)]);

/** A `create`/`write` values dict. */
export const valuesSchema = z.record(fieldName(), z.unknown());

/**
 * The value of a `dynamic()` field once the engine has resolved its expressions. The
 * engine parses the resolved block with the same schema, so a string left here means an
 * expression produced a string that itself looks like one: refused, never sent.
 */
export function resolved<T>(value: T | string, field: string): T {
  if (typeof value === 'string') {
    throw new CrossdockError(
      'STEP_CONFIG_INVALID',
      `with.${field}: expected a resolved value, got the text ${JSON.stringify(value)}`,
      { category: 'user', retryable: false },
    );
  }
  return value;
}

/**
 * Values as Odoo's create/write take them. A many2one read back as `[id, "name"]` (the
 * only array of that shape a field can hold) becomes its id, also inside the values of
 * x2many create/update commands, so a record read by one step can be written by another.
 */
export function toWriteValues(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) out[field] = toWriteValue(value);
  return out;
}

function toWriteValue(value: unknown): unknown {
  if (isMany2onePair(value)) return value[0];
  if (Array.isArray(value) && value.every(isCommandWithValues)) {
    return value.map((command) => [
      command[0],
      command[1],
      toWriteValues(command[2] as Record<string, unknown>),
    ]);
  }
  return value;
}

/** An x2many create (0) or update (1) command carrying a values dict. */
function isCommandWithValues(value: unknown): value is [0 | 1, number, Record<string, unknown>] {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    (value[0] === 0 || value[0] === 1) &&
    typeof value[2] === 'object' &&
    value[2] !== null &&
    !Array.isArray(value[2])
  );
}

/** The first field whose x2many commands include a create (which creates again on every repeat), or null. */
export function holdsCreateCommand(values: Readonly<Record<string, unknown>>): string | null {
  for (const [field, value] of Object.entries(values)) {
    if (Array.isArray(value) && value.some((command) => Array.isArray(command) && command[0] === 0))
      return field;
  }
  return null;
}

/**
 * The reference a chatter write carries so that a repeat of the same step position finds
 * it: "[cd:" + 12 hex digits of sha256(idempotencyKey) + "]". Hex digits only, because
 * Odoo's `ilike` does not escape LIKE wildcards ("_" and "%" may appear in step ids).
 */
export function chatterRef(idempotencyKey: string): string {
  return `[cd:${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12)}]`;
}

/** Odoo answered something the step cannot interpret; repeating will not change that. */
export function unexpectedResult(message: string, value: unknown): CrossdockError {
  const text = JSON.stringify(value) ?? String(value);
  return new CrossdockError(
    'ODOO_UNEXPECTED_RESULT',
    `${message}: ${text.length > 300 ? `${text.slice(0, 297)}...` : text}`,
    { category: 'bug', retryable: false },
  );
}

/** The same code the client maps Odoo's MissingError to: the record is not there. */
export function missingRecord(model: string, ids: readonly number[]): CrossdockError {
  return new CrossdockError(
    'ODOO_MISSING_RECORD',
    `${model} ${ids.join(', ')} ${ids.length === 1 ? 'does' : 'do'} not exist (or this Odoo user cannot see ${ids.length === 1 ? 'it' : 'them'})`,
    { category: 'user', retryable: false },
  );
}

/**
 * Call options for a step: cancelled with the step. `idempotent` lets the client repeat
 * the call itself after an ambiguous failure (timeout, reset); reads always may.
 */
export function callOptions(ctx: StepContext, idempotent: boolean): OdooCallOptions {
  return { idempotent, signal: ctx.signal };
}

/**
 * The key a "look, then act" step holds while it runs (StepType.serializeOn): the Odoo record
 * it acts on, on one connection. Executions under one key run one at a time, so the second
 * one looks only after the first has made what it looks for. Null when the id is not resolved
 * (the step then fails on its own configuration).
 */
export function recordKey(connection: string, model: string, id: unknown): string | null {
  return typeof id === 'number' ? `odoo:${connection}:${model}:${id}` : null;
}

/** Short JSON for dry-run descriptions. */
export function brief(value: unknown, maxLength = 200): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

export function onConnection(name: string): string {
  return name === DEFAULT_CONNECTION ? '' : ` on connection "${name}"`;
}
