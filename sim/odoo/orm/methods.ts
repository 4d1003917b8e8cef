/**
 * The public methods every model answers, with Odoo 17's signatures and results:
 * search, search_count, search_read, read, create, write, unlink, fields_get,
 * name_search, default_get, read_group, check_access_rights.
 */
import { bindArguments, opt, req, toIds } from './bind.ts';
import type { Env } from './env.ts';
import { fieldsGet } from './fields-get.ts';
import type { MethodCall, ModelMethod } from './model.ts';
import { readGroup } from './read-group.ts';

type GenericMethod = (env: Env, model: string, call: MethodCall) => unknown;

const limitOf = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const orderOf = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
const fieldsOf = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? (value as string[]) : undefined;

const search: GenericMethod = (env, model, { args, kwargs }) => {
  const { values } = bindArguments(
    [req('domain'), opt('offset', 0), opt('limit'), opt('order')],
    args,
    kwargs,
    { qualName: 'BaseModel.search' },
  );
  return env.search(model, values.domain, {
    offset: Number(values.offset ?? 0),
    limit: limitOf(values.limit),
    order: orderOf(values.order),
  });
};

const searchCount: GenericMethod = (env, model, { args, kwargs }) => {
  const { values } = bindArguments([req('domain'), opt('limit')], args, kwargs, {
    qualName: 'BaseModel.search_count',
  });
  return env.search(model, values.domain, { limit: limitOf(values.limit) }).length;
};

const searchRead: GenericMethod = (env, model, { args, kwargs }) => {
  const parameters = [opt('domain'), opt('fields'), opt('offset', 0), opt('limit'), opt('order')];
  const { values, extra } = bindArguments(parameters, args, kwargs, {
    qualName: 'BaseModel.search_read',
    extraKeywords: true,
  });
  // Extra keywords go to _read_format, which only knows `load` (hence error-wrong-kwarg's message).
  bindArguments([opt('load', '_classic_read')], [], extra, { qualName: 'BaseModel._read_format' });
  const ids = env.search(model, values.domain ?? [], {
    offset: Number(values.offset ?? 0),
    limit: limitOf(values.limit),
    order: orderOf(values.order),
  });
  return env.read(model, ids, fieldsOf(values.fields));
};

const read: GenericMethod = (env, model, { args, kwargs }) => {
  const [ids, ...rest] = args;
  const { values } = bindArguments([opt('fields'), opt('load', '_classic_read')], rest, kwargs, {
    qualName: 'BaseModel.read',
  });
  return env.read(model, toIds(ids), fieldsOf(values.fields));
};

/** A dict of values gives an id; a list of dicts gives a list of ids (flow-b-01). */
const create: GenericMethod = async (env, model, { args, kwargs }) => {
  const { values } = bindArguments([req('vals_list')], args, kwargs, {
    qualName: 'BaseModel.create',
  });
  const list = values.vals_list;
  if (!Array.isArray(list)) return env.create(model, (list ?? {}) as Record<string, unknown>);
  const ids: number[] = [];
  for (const vals of list) ids.push(await env.create(model, vals as Record<string, unknown>));
  return ids;
};

const write: GenericMethod = async (env, model, { args, kwargs }) => {
  const [ids, ...rest] = args;
  const { values } = bindArguments([req('vals')], rest, kwargs, { qualName: 'BaseModel.write' });
  await env.write(model, toIds(ids), (values.vals ?? {}) as Record<string, unknown>);
  return true;
};

const unlink: GenericMethod = async (env, model, { args, kwargs }) => {
  const [ids, ...rest] = args;
  bindArguments([], rest, kwargs, { qualName: 'BaseModel.unlink' });
  await env.unlink(model, toIds(ids));
  return true;
};

const fieldsGetMethod: GenericMethod = (env, model, { args, kwargs }) => {
  const { values } = bindArguments([opt('allfields'), opt('attributes')], args, kwargs, {
    qualName: 'BaseModel.fields_get',
  });
  return fieldsGet(env, model, fieldsOf(values.allfields), fieldsOf(values.attributes));
};

/** Matches the display name (partners: complete name), the email and the internal reference. */
const nameSearch: GenericMethod = (env, model, { args, kwargs }) => {
  const parameters = [opt('name', ''), opt('args'), opt('operator', 'ilike'), opt('limit', 100)];
  const { values } = bindArguments(parameters, args, kwargs, { qualName: 'BaseModel.name_search' });
  const name = String(values.name ?? '').toLowerCase();
  const ids = env
    .search(model, Array.isArray(values.args) ? [...values.args] : [], {})
    .filter((id) => {
      if (name === '') return true;
      const row = env.row(model, id) ?? {};
      const candidates = [env.displayName(model, id), row.email, row.default_code].filter(
        (text): text is string => typeof text === 'string',
      );
      return candidates.some((text) => text.toLowerCase().includes(name));
    });
  return ids
    .slice(0, limitOf(values.limit) ?? undefined)
    .map((id) => [id, env.displayName(model, id)]);
};

/** Only fields with a default answer (execute_kw-default_get-sale.order has no warehouse_id). */
const defaultGet: GenericMethod = (env, model, { args, kwargs }) => {
  const { values } = bindArguments([req('fields_list')], args, kwargs, {
    qualName: 'BaseModel.default_get',
  });
  const out: Record<string, unknown> = {};
  for (const name of fieldsOf(values.fields_list) ?? []) {
    const field = env.model(model).fields[name];
    if (field?.default !== undefined) out[name] = field.default(env, {});
  }
  return out;
};

const readGroupMethod: GenericMethod = (env, model, { args, kwargs }) => {
  const parameters = [
    req('domain'),
    req('fields'),
    req('groupby'),
    opt('offset', 0),
    opt('limit'),
    opt('orderby', false),
    opt('lazy', true),
  ];
  const { values } = bindArguments(parameters, args, kwargs, { qualName: 'BaseModel.read_group' });
  return readGroup(env, model, values);
};

const checkAccessRights: GenericMethod = (env, model, { args, kwargs }) => {
  const { values } = bindArguments([req('operation'), opt('raise_exception', true)], args, kwargs, {
    qualName: 'BaseModel.check_access_rights',
  });
  const operation = values.operation as 'read' | 'write' | 'create' | 'unlink';
  if (env.runtime.access.hasModelAccess(env, model, operation)) return true;
  if (values.raise_exception !== false) env.runtime.access.checkModel(env, model, operation);
  return false;
};

const GENERIC: Readonly<Record<string, GenericMethod>> = {
  search,
  search_count: searchCount,
  search_read: searchRead,
  read,
  create,
  write,
  unlink,
  fields_get: fieldsGetMethod,
  name_search: nameSearch,
  default_get: defaultGet,
  read_group: readGroupMethod,
  check_access_rights: checkAccessRights,
};

/** The generic methods bound to one model, as ModelMethods. */
export function genericMethods(model: string): Record<string, ModelMethod> {
  return Object.fromEntries(
    Object.entries(GENERIC).map(([name, method]) => [
      name,
      (env: Env, call: MethodCall) => method(env, model, call),
    ]),
  );
}
