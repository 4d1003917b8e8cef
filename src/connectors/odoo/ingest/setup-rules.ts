import { CrossdockError } from '../../../errors/index.ts';
import type { OdooClient } from '../client.ts';
import type { OdooSource, OdooWatch } from './config.ts';
import { odooWebhookPath } from './webhook-routes.ts';

export interface RuleStatus {
  event: string;
  model: string;
  ruleName: string;
  ruleId: number | null;
  /** created / updated by setup; ok / missing / outdated by check. */
  state: 'created' | 'updated' | 'ok' | 'missing' | 'outdated' | 'inactive';
  url: string;
}

const ruleName = (source: OdooSource, watch: OdooWatch) =>
  `Crossdock ${source.name}: ${watch.event}`;

/**
 * Creates or updates, in Odoo, the automation rule that sends each watched change to
 * Crossdock ("Send Webhook Notification"). Recorded gotcha: an `on_state_set` rule needs
 * `trigger_field_ids` (the state field) and `trg_selection_field_id` (the selection
 * value), or Odoo computes no filter. Running it again updates the rules in place.
 */
export async function setupRules(
  client: OdooClient,
  source: OdooSource,
  baseUrl: string,
  token: string = source.token,
): Promise<RuleStatus[]> {
  const out: RuleStatus[] = [];
  for (const watch of source.watch) {
    const url = `${baseUrl.replace(/\/$/, '')}${odooWebhookPath(source, watch.event, token)}`;
    const plan = await planRule(client, watch, url, ruleName(source, watch));
    const existing = await client.call<{ id: number }[]>(
      'base.automation',
      'search_read',
      [
        [
          ['name', '=', plan.name],
          ['active', 'in', [true, false]],
        ],
      ],
      { fields: ['id'] },
      undefined,
      { idempotent: true },
    );
    if (existing[0]) {
      const actions = await client.call<{ id: number }[]>(
        'ir.actions.server',
        'search_read',
        [[['base_automation_id', '=', existing[0].id]]],
        { fields: ['id'] },
        undefined,
        { idempotent: true },
      );
      await client.call('base.automation', 'write', [
        [existing[0].id],
        { ...plan.rule, active: true },
      ]);
      if (actions[0])
        await client.call('ir.actions.server', 'write', [[actions[0].id], plan.action]);
      out.push({
        event: watch.event,
        model: watch.model,
        ruleName: plan.name,
        ruleId: existing[0].id,
        state: 'updated',
        url: redactToken(url, token),
      });
    } else {
      const id = await client.call<number>('base.automation', 'create', [
        { name: plan.name, ...plan.rule, action_server_ids: [[0, 0, plan.action]] },
      ]);
      out.push({
        event: watch.event,
        model: watch.model,
        ruleName: plan.name,
        ruleId: id,
        state: 'created',
        url: redactToken(url, token),
      });
    }
  }
  return out;
}

/** Reports whether each watched rule exists in Odoo, is active and posts to the expected URL. */
export async function checkRules(
  client: OdooClient,
  source: OdooSource,
  baseUrl: string,
  token: string = source.token,
): Promise<RuleStatus[]> {
  const out: RuleStatus[] = [];
  for (const watch of source.watch) {
    const name = ruleName(source, watch);
    const url = `${baseUrl.replace(/\/$/, '')}${odooWebhookPath(source, watch.event, token)}`;
    const rules = await client.call<{ id: number; active: boolean }[]>(
      'base.automation',
      'search_read',
      [
        [
          ['name', '=', name],
          ['active', 'in', [true, false]],
        ],
      ],
      { fields: ['id', 'active'] },
      undefined,
      { idempotent: true },
    );
    const rule = rules[0];
    let state: RuleStatus['state'] = 'missing';
    if (rule) {
      const actions = await client.call<{ webhook_url: string | false }[]>(
        'ir.actions.server',
        'search_read',
        [[['base_automation_id', '=', rule.id]]],
        { fields: ['webhook_url'] },
        undefined,
        { idempotent: true },
      );
      state = !rule.active
        ? 'inactive'
        : actions.some((a) => a.webhook_url === url)
          ? 'ok'
          : 'outdated';
    }
    out.push({
      event: watch.event,
      model: watch.model,
      ruleName: name,
      ruleId: rule?.id ?? null,
      state,
      url: redactToken(url, token),
    });
  }
  return out;
}

async function planRule(client: OdooClient, watch: OdooWatch, url: string, name: string) {
  const models = await client.call<{ id: number }[]>(
    'ir.model',
    'search_read',
    [[['model', '=', watch.model]]],
    { fields: ['id'] },
    undefined,
    { idempotent: true },
  );
  const modelId = models[0]?.id;
  if (modelId === undefined)
    throw new CrossdockError(
      'ODOO_MODEL_NOT_INSTALLED',
      `Odoo has no model ${watch.model}; is its app installed?`,
      { category: 'user' },
    );
  const fieldNames = [
    ...new Set([...watch.fields, 'write_date', ...(watch.rule.state ? ['state'] : [])]),
  ];
  const fields = await client.call<{ id: number; name: string }[]>(
    'ir.model.fields',
    'search_read',
    [
      [
        ['model', '=', watch.model],
        ['name', 'in', fieldNames],
      ],
    ],
    { fields: ['id', 'name'] },
    undefined,
    { idempotent: true },
  );
  const unknown = fieldNames.filter((f) => !fields.some((x) => x.name === f));
  if (unknown.length > 0)
    throw new CrossdockError(
      'ODOO_FIELD_UNKNOWN',
      `${watch.model} has no field(s) ${unknown.join(', ')}`,
      { category: 'user' },
    );
  const action = {
    name: 'Send Webhook Notification',
    model_id: modelId,
    state: 'webhook',
    usage: 'base_automation',
    webhook_url: url,
    webhook_field_ids: [[6, 0, fields.map((f) => f.id)]],
  };
  if (!watch.rule.state) {
    const watched = fields.filter((f) => watch.fields.includes(f.name)).map((f) => f.id);
    return {
      name,
      action,
      rule: {
        model_id: modelId,
        trigger: 'on_create_or_write',
        trigger_field_ids: [[6, 0, watched]],
      },
    };
  }
  const stateField = fields.find((f) => f.name === 'state')!;
  const selection = await client.call<{ id: number }[]>(
    'ir.model.fields.selection',
    'search_read',
    [
      [
        ['field_id', '=', stateField.id],
        ['value', '=', watch.rule.state],
      ],
    ],
    { fields: ['id'] },
    undefined,
    { idempotent: true },
  );
  if (!selection[0])
    throw new CrossdockError(
      'ODOO_STATE_UNKNOWN',
      `${watch.model}.state has no value "${watch.rule.state}"`,
      { category: 'user' },
    );
  return {
    name,
    action,
    rule: {
      model_id: modelId,
      trigger: 'on_state_set',
      trigger_field_ids: [[6, 0, [stateField.id]]],
      trg_selection_field_id: selection[0].id,
    },
  };
}

/** URLs are shown without the secret token. */
function redactToken(url: string, token: string): string {
  return url.replace(token, '***');
}
