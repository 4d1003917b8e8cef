/**
 * Incoming webhooks: /web/hook/<webhook_uuid> (auth="none", GET or POST), as recorded in
 * webhook-in-*: the JSON body is the payload, otherwise the query-string args (all
 * strings; a form body is ignored). The rule runs with NO user. Answers: 200 ok,
 * 404 error (unknown uuid), 500 error (getter, missing record or action failure), with
 * details only in ir.logging when log_webhook_calls is set (written even when the
 * rule's own transaction rolls back, like Odoo's separate logging cursor).
 */
import { PyError, py, pyRepr } from '../errors.ts';
import { Env } from '../orm/env.ts';
import type { Row } from '../orm/store.ts';
import type { SimRuntime } from '../runtime.ts';
import { runActions } from './engine.ts';
import type { WebhookSender } from './outgoing.ts';

export interface IncomingWebhookRequest {
  query: URLSearchParams;
  contentType: string;
  body: string;
}

export interface IncomingWebhookAnswer {
  status: 200 | 404 | 500;
  body: { status: 'ok' | 'error' };
}

const CUSTOM_GETTER = /^model\.search\(\[\('(\w+)', '=', payload\.get\('(\w+)'\)\)\], limit=1\)$/;
const DEFAULT_GETTER = "model.env[payload.get('_model')].browse(int(payload.get('_id')))";

function payloadOf(request: IncomingWebhookRequest): Record<string, unknown> {
  if (request.contentType.startsWith('application/json') && request.body.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(request.body);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Not JSON after all: Odoo falls back to the query-string args.
    }
  }
  return Object.fromEntries(request.query.entries());
}

function findRecord(
  env: Env,
  ruleModel: string,
  getter: string,
  payload: Record<string, unknown>,
): { model: string; id: number } | null {
  const custom = CUSTOM_GETTER.exec(getter);
  if (custom !== null) {
    const [id] = env.search(ruleModel, [[custom[1], '=', payload[custom[2] ?? ''] ?? false]], {
      limit: 1,
    });
    return id === undefined ? null : { model: ruleModel, id };
  }
  if (getter !== DEFAULT_GETTER)
    throw py.valueError(`The Crossdock Odoo simulator cannot evaluate record_getter ${getter}`);
  const model = payload._model;
  if (typeof model !== 'string' || env.runtime.registry.get(model) === undefined)
    throw py.keyError(String(model ?? 'None'));
  const id = Number(payload._id);
  if (payload._id === undefined || !Number.isInteger(id))
    throw py.typeError(
      `int() argument must be a string, a bytes-like object or a real number, not '${typeof payload._id}'`,
    );
  return env.row(model, id) === undefined ? null : { model, id };
}

function wrapGetterError(error: PyError, getter: string): PyError {
  const text =
    error.shortName === 'KeyError'
      ? `"${error.pyMessage === 'None' ? 'None' : pyRepr(error.pyMessage)}"`
      : `"${error.pyMessage}"`;
  return py.valueError(
    `<class '${error.shortName}'>: ${text} while evaluating\n${JSON.stringify(getter)}`,
  );
}

export async function handleIncomingWebhook(
  runtime: SimRuntime,
  sender: WebhookSender,
  uuid: string,
  request: IncomingWebhookRequest,
): Promise<IncomingWebhookAnswer> {
  const lookup = new Env(runtime, runtime.store.begin(), 1, {}, true);
  const [ruleId] = lookup.search(
    'base.automation',
    [
      ['webhook_uuid', '=', uuid],
      ['trigger', '=', 'on_webhook'],
    ],
    { limit: 1 },
  );
  const rule: (Row & { id: number }) | undefined =
    ruleId === undefined
      ? undefined
      : { ...(lookup.row('base.automation', ruleId) ?? {}), id: ruleId };
  if (rule === undefined) return { status: 404, body: { status: 'error' } };
  const payload = payloadOf(request);
  const log = async (level: 'INFO' | 'ERROR', message: string) => {
    if (rule.log_webhook_calls !== true) return;
    const tx = runtime.store.begin();
    await new Env(runtime, tx, 1, {}, true).create('ir.logging', {
      name: 'Webhook Log',
      type: 'server',
      level,
      path: `base_automation(${rule.id})`,
      func: '_execute_webhook',
      message,
    });
    tx.commit();
  };
  await log('INFO', `Webhook #${rule.id} triggered with payload ${pyRepr(payload)}`);
  const tx = runtime.store.begin();
  // auth="none": the rule runs as superuser but with an empty user (env.user is res.users()).
  const env = new Env(runtime, tx, 0, {}, true);
  const ruleModel = String(lookup.row('ir.model', Number(rule.model_id))?.model ?? '');
  let record: { model: string; id: number } | null;
  try {
    record = findRecord(env, ruleModel, String(rule.record_getter ?? DEFAULT_GETTER), payload);
  } catch (error) {
    tx.rollback();
    const wrapped =
      error instanceof PyError
        ? wrapGetterError(error, String(rule.record_getter))
        : py.exception(String(error));
    await log(
      'ERROR',
      `Webhook #${rule.id} could not be triggered because the record_getter failed:\n${wrapped.traceback}`,
    );
    return { status: 500, body: { status: 'error' } };
  }
  if (record === null) {
    tx.rollback();
    await log(
      'ERROR',
      `Webhook #${rule.id} could not be triggered because no record to run it on was found.`,
    );
    return { status: 500, body: { status: 'error' } };
  }
  try {
    await runActions(env, sender, rule, record.model, record.id, payload);
    tx.commit();
    await tx.runCommitHooks();
    return { status: 200, body: { status: 'ok' } };
  } catch (error) {
    tx.rollback();
    const failure = error instanceof PyError ? error : py.exception(String(error));
    await log('ERROR', `Webhook #${rule.id} failed with error:\n${failure.traceback}`);
    return { status: 500, body: { status: 'error' } };
  }
}
