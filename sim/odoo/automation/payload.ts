/**
 * The JSON an outgoing webhook carries, as recorded (webhook-out-*): `_action`, `_id`,
 * `_model`, `id`, then the selected fields read with load=None: many2one as a bare id,
 * x2many as id lists, empty values false, datetimes as str(datetime) (write_date keeps
 * its microseconds). The UI's sample payload shows `_name` instead of `_action`/`_id`.
 */
import type { Env } from '../orm/env.ts';
import type { Row } from '../orm/store.ts';
import { PyFloat } from '../orm/wire.ts';
import { toIds } from '../orm/bind.ts';
import { pyJsonDumps } from './py-json.ts';

function fieldNames(env: Env, fieldIds: unknown): string[] {
  return toIds(fieldIds)
    .map((id) => env.row('ir.model.fields', id)?.name)
    .filter((name): name is string => typeof name === 'string');
}

/** Field values of one record as `read(load=None)` gives them. */
export function rawFieldValues(
  env: Env,
  model: string,
  id: number,
  names: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sudo = env.sudo();
  for (const name of names) {
    const field = sudo.field(model, name);
    const value = sudo.value(model, id, name);
    if (field.type === 'float' || field.type === 'monetary')
      out[name] = new PyFloat(typeof value === 'number' ? value : 0);
    else if (field.type === 'one2many' || field.type === 'many2many') out[name] = toIds(value);
    else if (field.type === 'many2one') out[name] = typeof value === 'number' ? value : false;
    // A char stored as "" stays "" (webhook-out-o2c-01: the invoice's ref); other empty values are false.
    else if (field.type === 'char' && value === '') out[name] = '';
    else out[name] = value === undefined || value === null || value === '' ? false : value;
  }
  return out;
}

export function webhookPayload(
  env: Env,
  action: Row & { id: number },
  model: string,
  id: number,
): Record<string, unknown> {
  return {
    _action: `${String(action.name)}(#${action.id})`,
    _id: id,
    _model: model,
    id,
    ...rawFieldValues(env, model, id, fieldNames(env, action.webhook_field_ids)),
  };
}

/** webhook_sample_payload: the newest record of the action's model, pretty-printed. */
export function samplePayload(env: Env, action: Row): string | false {
  if (action.state !== 'webhook') return false;
  const model = env.row('ir.model', Number(action.model_id))?.model;
  if (typeof model !== 'string') return false;
  const sudo = env.sudo();
  const [latest] = sudo.search(model, [], { limit: 1, order: 'id desc' });
  const values =
    latest === undefined
      ? {}
      : {
          ...rawFieldValues(env, model, latest, fieldNames(env, action.webhook_field_ids)),
          id: latest,
        };
  return pyJsonDumps(
    { _model: model, _name: action.name, ...values },
    { indent: 4, sortKeys: true },
  );
}
