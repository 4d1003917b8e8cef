/**
 * create / write / unlink. The order of steps in create reproduces what the fixtures
 * show about sequences: a model's prepareCreate hook (which may take a name from a
 * sequence) runs before values are checked, so a bad value still consumes the name
 * (error-wrong-type-many2one-name took S00031), but an unknown field name is refused
 * before (p2p-01 took no purchase order name); the record id is taken after the values
 * are checked but before required fields are, so a missing required field also
 * consumes an id (like PostgreSQL's INSERT failing on NOT NULL).
 * Automation rules run after each create/write, inside the transaction.
 */
import { missingRecord, py } from '../errors.ts';
import type { WriteEvent } from '../runtime.ts';
import { convertScalar, toCommands } from './convert.ts';
import type { Env } from './env.ts';
import type { FieldDef } from './fields.ts';
import { fieldOf, type ModelDef } from './model.ts';
import { recordRuleError } from './read.ts';
import type { Row } from './store.ts';

interface SplitValues {
  scalars: Record<string, unknown>;
  relations: Array<[string, FieldDef, unknown[][]]>;
}

function splitValues(env: Env, definition: ModelDef, vals: Record<string, unknown>): SplitValues {
  const split: SplitValues = { scalars: {}, relations: [] };
  for (const [name, value] of Object.entries(vals)) {
    const field = fieldOf(definition, name);
    if (field === undefined || name === 'id')
      throw py.valueError(env.runtime.messages.invalidField(definition.name, name));
    if (field.type === 'one2many' || field.type === 'many2many')
      split.relations.push([name, field, toCommands(value)]);
    else split.scalars[name] = convertScalar(definition.name, name, field, value);
  }
  return split;
}

function checkRequired(env: Env, definition: ModelDef, row: Row): void {
  for (const [name, field] of Object.entries(definition.fields)) {
    if (field.required !== true || field.type === 'one2many' || field.compute !== undefined)
      continue;
    const value = row[name];
    if (value === false || value === undefined || value === null || value === '') {
      throw py.validationError(
        env.runtime.messages.missingRequired(
          definition.description,
          definition.name,
          field.string,
          name,
        ),
      );
    }
  }
}

async function applyCommands(
  env: Env,
  model: string,
  id: number,
  name: string,
  field: FieldDef,
  commands: unknown[][],
) {
  const relation = field.relation ?? '';
  const inverse = field.inverse;
  const current = (): number[] => (env.value(model, id, name) as number[]) ?? [];
  const setMany2many = (ids: number[]) => env.tx.update(model, id, { [name]: [...new Set(ids)] });
  const link = async (other: number) =>
    inverse === undefined
      ? setMany2many([...current(), other])
      : env.write(relation, [other], { [inverse]: id });
  const detach = async (other: number) =>
    inverse === undefined
      ? setMany2many(current().filter((x) => x !== other))
      : env.unlink(relation, [other]);
  for (const [code, target, payload] of commands as Array<[number, number, unknown]>) {
    if (code === 0) {
      const values = { ...(payload as Record<string, unknown>) };
      if (inverse !== undefined) values[inverse] = id;
      const created = await env.create(relation, values);
      if (inverse === undefined) setMany2many([...current(), created]);
    } else if (code === 1) await env.write(relation, [target], payload as Record<string, unknown>);
    else if (code === 2) {
      await detach(target);
      if (inverse === undefined) await env.unlink(relation, [target]);
    } else if (code === 3) await detach(target);
    else if (code === 4) await link(target);
    else if (code === 5) for (const other of current()) await detach(other);
    else if (code === 6) {
      const wanted = payload as number[];
      for (const other of current().filter((x) => !wanted.includes(x))) await detach(other);
      for (const other of wanted.filter((x) => !current().includes(x))) await link(other);
    } else throw py.valueError(`Unknown x2many command ${code}`);
  }
}

export async function createRecord(
  env: Env,
  model: string,
  input: Record<string, unknown>,
): Promise<number> {
  const definition = env.model(model);
  if (!env.su) env.runtime.access.checkModel(env, model, 'create');
  let vals = { ...input };
  // An unknown field is refused before any name is taken (p2p-01 left P00013 for the next order).
  const unknown = Object.keys(vals).find(
    (name) => fieldOf(definition, name) === undefined || name === 'id',
  );
  if (unknown !== undefined)
    throw py.valueError(env.runtime.messages.invalidField(definition.name, unknown));
  if (definition.hooks?.prepareCreate !== undefined)
    vals = definition.hooks.prepareCreate(env, vals);
  for (const [name, field] of Object.entries(definition.fields)) {
    if (name in vals) continue;
    // Like Odoo, `default_<field>` in the context wins over the field's own default.
    const fromContext = env.context[`default_${name}`];
    if (fromContext !== undefined) vals[name] = fromContext;
    else if (field.default !== undefined) vals[name] = field.default(env, vals);
  }
  const { scalars, relations } = splitValues(env, definition, vals);
  const id = env.runtime.store.allocateId(model);
  const stamp = env.nowWithMicroseconds();
  const row: Row = {
    ...scalars,
    id,
    create_uid: env.uid,
    create_date: stamp,
    write_uid: env.uid,
    write_date: stamp,
  };
  checkRequired(env, definition, row);
  env.tx.put(model, id, row);
  for (const [name, field, commands] of relations)
    await applyCommands(env, model, id, name, field, commands);
  await definition.hooks?.afterCreate?.(env, id, vals);
  const event: WriteEvent = {
    model,
    ids: [id],
    fields: Object.keys(vals),
    before: new Map(),
    created: true,
  };
  await env.runtime.automation.afterChange(env, event);
  return id;
}

function ensureExisting(env: Env, model: string, ids: number[]): void {
  const missing = ids.filter((id) => env.row(model, id) === undefined);
  if (missing.length > 0) throw missingRecord(model, missing, env.uid);
}

export async function writeRecords(
  env: Env,
  model: string,
  ids: number[],
  vals: Record<string, unknown>,
): Promise<void> {
  const definition = env.model(model);
  if (!env.su) {
    env.runtime.access.checkModel(env, model, 'write');
    if (
      ids.some(
        (id) => !env.runtime.access.recordAllowed(env, model, env.row(model, id) ?? {}, 'write'),
      )
    ) {
      throw recordRuleError(env, model, 'write');
    }
  }
  ensureExisting(env, model, ids);
  if (ids.length === 0) return;
  const { scalars, relations } = splitValues(env, definition, vals);
  definition.hooks?.beforeWrite?.(env, ids, vals);
  const before = new Map(ids.map((id) => [id, env.row(model, id) ?? {}] as const));
  const preFilter = env.runtime.automation.beforeWrite(env, model, ids);
  const stamp = env.nowWithMicroseconds();
  // A call without a user (incoming webhooks) keeps the previous write_uid.
  const stampUser = env.uid > 0 ? { write_uid: env.uid } : {};
  for (const id of ids) env.tx.update(model, id, { ...scalars, ...stampUser, write_date: stamp });
  for (const id of ids) {
    for (const [name, field, commands] of relations)
      await applyCommands(env, model, id, name, field, commands);
  }
  await definition.hooks?.afterWrite?.(env, ids, vals);
  await env.runtime.automation.afterChange(env, {
    model,
    ids,
    fields: Object.keys(vals),
    before,
    created: false,
    preFilter,
  });
}

export async function unlinkRecords(env: Env, model: string, ids: number[]): Promise<void> {
  const definition = env.model(model);
  if (!env.su) env.runtime.access.checkModel(env, model, 'unlink');
  ensureExisting(env, model, ids);
  await definition.hooks?.beforeUnlink?.(env, ids);
  for (const id of ids) env.tx.remove(model, id);
}
