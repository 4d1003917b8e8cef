/**
 * read_group(domain, fields, groupby, ..., lazy) for one grouping level, enough for the
 * recorded call (amount_total summed by state, lazy=False): groups ordered by value, each
 * with `__count` (or `<field>_count` when lazy), the aggregates and its `__domain`.
 */
import { py } from '../errors.ts';
import type { Env } from './env.ts';
import { encodeFieldValue } from './read.ts';
import { PyFloat, roundHalfUp } from './wire.ts';

function aggregateSpecs(fields: unknown): Array<{ name: string; aggregator: string }> {
  if (!Array.isArray(fields)) return [];
  return fields.map((spec) => {
    const [name = '', aggregator = 'sum'] = String(spec).split(':');
    return { name, aggregator };
  });
}

function aggregate(values: number[], aggregator: string): number {
  if (values.length === 0) return 0;
  if (aggregator === 'max') return Math.max(...values);
  if (aggregator === 'min') return Math.min(...values);
  const sum = values.reduce((total, value) => total + value, 0);
  return aggregator === 'avg' ? sum / values.length : sum;
}

export function readGroup(
  env: Env,
  model: string,
  values: Record<string, unknown>,
): Record<string, unknown>[] {
  const groupby = (Array.isArray(values.groupby) ? values.groupby : [values.groupby]).map(String);
  const [groupField, ...rest] = groupby;
  if (groupField === undefined) throw py.valueError('read_group needs a groupby field');
  const field = env.field(model, groupField);
  const ids = env.search(model, values.domain ?? []);
  const groups = new Map<string, number[]>();
  for (const id of ids) {
    const key = JSON.stringify(env.value(model, id, groupField));
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  const lazy = values.lazy !== false;
  const ordered = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  return ordered.map(([key, members]) => {
    const raw: unknown = JSON.parse(key);
    const group: Record<string, unknown> = { [groupField]: encodeFieldValue(env, field, raw) };
    group[lazy ? `${groupField}_count` : '__count'] = members.length;
    for (const { name, aggregator } of aggregateSpecs(values.fields)) {
      if (name === groupField || name === '') continue;
      const numbers = members.map((id) => Number(env.value(model, id, name) ?? 0));
      group[name] = new PyFloat(roundHalfUp(aggregate(numbers, aggregator), 6));
    }
    group.__domain = [[groupField, '=', raw]];
    if (lazy && rest.length > 0) group.__context = { group_by: rest };
    return group;
  });
}
