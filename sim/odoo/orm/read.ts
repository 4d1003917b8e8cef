/**
 * read(): the record dicts as Odoo 17 sends them over RPC: `id` first, then the asked
 * fields in the asked order; many2one as [id, display name]; x2many as id lists; floats
 * as PyFloat; empty values as false. Missing ids are dropped silently; a record hidden
 * by a record rule raises Odoo's "Uh-oh!" AccessError.
 */
import { py } from '../errors.ts';
import type { Env } from './env.ts';
import type { FieldDef } from './fields.ts';
import { PyFloat } from './wire.ts';

export function recordRuleError(env: Env, model: string, operation: string): Error {
  const description = env.model(model).description;
  return py.accessError(
    `Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, ${env.runtime.access.userLabel(env)} doesn't have '${operation}' access to:\n- ${description} (${model})\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.`,
  );
}

/** The wire form of one raw field value. */
export function encodeFieldValue(env: Env, field: FieldDef, raw: unknown): unknown {
  switch (field.type) {
    case 'many2one':
      if (typeof raw !== 'number' || field.relation === undefined) return false;
      return env.row(field.relation, raw) === undefined
        ? false
        : [raw, env.displayName(field.relation, raw)];
    case 'one2many':
    case 'many2many':
      return Array.isArray(raw) ? [...raw] : [];
    case 'float':
    case 'monetary':
      return typeof raw === 'number' ? new PyFloat(raw) : new PyFloat(0);
    case 'integer':
      return typeof raw === 'number' ? raw : 0;
    case 'boolean':
      return raw === true;
    case 'datetime':
      // write_date/create_date keep microseconds in storage; RPC reads show seconds.
      return typeof raw === 'string' ? raw.slice(0, 19) : false;
    default:
      // Odoo sends false for NULL; an empty string stored as such stays "" (mail.message body).
      return raw === undefined || raw === null ? false : raw;
  }
}

/** Names of the fields `read` returns when none are asked for. */
export function allFieldNames(env: Env, model: string): string[] {
  return Object.keys(env.model(model).fields).filter((name) => name !== 'id');
}

export function readRecords(
  env: Env,
  model: string,
  ids: readonly number[],
  fields?: readonly string[],
): Record<string, unknown>[] {
  const definition = env.model(model);
  if (!env.su) env.runtime.access.checkModel(env, model, 'read');
  const names =
    fields === undefined || fields.length === 0 ? allFieldNames(env, model) : [...fields];
  for (const name of names) {
    if (name !== 'id' && !Object.hasOwn(definition.fields, name)) {
      throw py.valueError(env.runtime.messages.invalidField(model, name));
    }
  }
  const existing = [...new Set(ids)].filter((id) => env.row(model, id) !== undefined);
  if (
    !env.su &&
    existing.some(
      (id) => !env.runtime.access.recordAllowed(env, model, env.row(model, id) ?? {}, 'read'),
    )
  ) {
    throw recordRuleError(env, model, 'read');
  }
  return existing.map((id) => {
    const record: Record<string, unknown> = { id };
    for (const name of names) {
      if (name === 'id') continue;
      const field = env.field(model, name);
      record[name] = encodeFieldValue(env, field, env.value(model, id, name));
    }
    return record;
  });
}
