/**
 * `order` specifications ("write_date asc, id asc"). Like PostgreSQL, empty values sort
 * last ascending and first descending; many2one fields sort by the related display name.
 * Ties end in ascending id so results are deterministic.
 */
import { py } from '../errors.ts';
import type { Env } from './env.ts';
import { fieldOf } from './model.ts';

export interface OrderTerm {
  field: string;
  descending: boolean;
}

export function parseOrder(env: Env, model: string, spec: string): OrderTerm[] {
  const definition = env.model(model);
  const invalid = () =>
    py.valueError(
      `Invalid "order" specified (${spec}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
    );
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(?:first|last))?$/i.exec(
        part,
      );
      const field = match?.[1];
      if (field === undefined || (field !== 'id' && fieldOf(definition, field) === undefined))
        throw invalid();
      return { field, descending: match?.[2]?.toLowerCase() === 'desc' };
    });
}

function sortKey(
  env: Env,
  model: string,
  id: number,
  field: string,
): string | number | boolean | null {
  if (field === 'id') return id;
  const value = env.value(model, id, field);
  if (value === false || value === null || value === undefined) {
    return env.field(model, field).type === 'boolean' ? false : null;
  }
  const definition = env.field(model, field);
  if (
    definition.type === 'many2one' &&
    typeof value === 'number' &&
    definition.relation !== undefined
  ) {
    return env.displayName(definition.relation, value);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  return JSON.stringify(value);
}

function compare(
  a: string | number | boolean | null,
  b: string | number | boolean | null,
  descending: boolean,
): number {
  if (a === b) return 0;
  // NULLS LAST ascending, NULLS FIRST descending (PostgreSQL's default).
  if (a === null) return descending ? -1 : 1;
  if (b === null) return descending ? 1 : -1;
  let result: number;
  if (typeof a === 'string' && typeof b === 'string') result = a.localeCompare(b, 'en');
  else result = a < b ? -1 : a > b ? 1 : 0;
  return descending ? -result : result;
}

/** Sorts ids by `spec`, or by the model's default order. */
export function orderIds(env: Env, model: string, ids: readonly number[], spec?: string): number[] {
  const terms = parseOrder(env, model, spec ?? env.model(model).order);
  const keyed = ids.map((id) => ({
    id,
    keys: terms.map((term) => sortKey(env, model, id, term.field)),
  }));
  keyed.sort((left, right) => {
    for (const [index, term] of terms.entries()) {
      const result = compare(left.keys[index] ?? null, right.keys[index] ?? null, term.descending);
      if (result !== 0) return result;
    }
    return left.id - right.id;
  });
  return keyed.map((entry) => entry.id);
}
