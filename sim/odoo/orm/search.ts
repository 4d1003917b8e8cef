/**
 * search(): domain, then Odoo's implicit filters (archived records unless
 * `active_test: false` or the domain names `active`; record rules, silently), then
 * order, offset and limit.
 */
import type { Env } from './env.ts';
import { matches, parseDomain } from './domain.ts';
import { fieldOf } from './model.ts';
import { orderIds } from './order.ts';

export interface SearchOptions {
  offset?: number;
  limit?: number | null;
  order?: string | null;
}

function mentionsField(domain: unknown, field: string): boolean {
  return Array.isArray(domain) && domain.some((term) => Array.isArray(term) && term[0] === field);
}

export function searchIds(
  env: Env,
  model: string,
  domain: unknown,
  options: SearchOptions = {},
): number[] {
  const definition = env.model(model);
  if (!env.su) env.runtime.access.checkModel(env, model, 'read');
  const node = parseDomain(env, model, domain);
  const skipArchived =
    fieldOf(definition, 'active') !== undefined &&
    env.context.active_test !== false &&
    !mentionsField(domain, 'active');
  const found = env.tx.ids(model).filter((id) => {
    const row = env.row(model, id);
    if (row === undefined) return false;
    if (skipArchived && row.active === false) return false;
    if (!env.su && !env.runtime.access.recordAllowed(env, model, row, 'read')) return false;
    return matches(env, model, node, id);
  });
  const ordered = orderIds(env, model, found, options.order ?? undefined);
  const offset = options.offset ?? 0;
  const end =
    options.limit === null || options.limit === undefined ? undefined : offset + options.limit;
  return ordered.slice(offset, end);
}
