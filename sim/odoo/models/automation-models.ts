/**
 * Automation rules and what they point at: base.automation, ir.actions.server,
 * ir.model, ir.model.fields(.selection) and ir.logging. Two Odoo 17 behaviours recorded
 * in the fixtures are reproduced on purpose:
 * - creating an on_state_set rule WITH trigger_field_ids computes filter_domain
 *   `[('state', '=', '<value>')]`; WITHOUT them both stay empty (automation-09);
 * - reading webhook_sample_payload on several actions at once fails (automation-11b).
 */
import { py, pyRepr, pyTupleRepr } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import { genericMethods } from '../orm/methods.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import { samplePayload } from '../automation/payload.ts';
import { defineModel, recordedAttributes } from './define.ts';

export const DEFAULT_RECORD_GETTER =
  "model.env[payload.get('_model')].browse(int(payload.get('_id')))";
export const DEFAULT_CODE =
  "# Available variables:\n#  - env: environment on which the action is triggered\n#  - model: model of the record on which the action is triggered; is a void recordset\n#  - record: record on which the action is triggered; may be void\n#  - records: recordset of all records on which the action is triggered in multi-mode; may be void\n#  - time, datetime, dateutil, timezone: useful Python libraries\n#  - float_compare: utility function to compare floats based on specific precision\n#  - log: log(message, level='info'): logging function to record debug information in ir.logging table\n#  - _logger: _logger.info(message): logger to emit messages in server logs\n#  - UserError: exception class for raising user-facing warning messages\n#  - Command: x2many commands namespace\n# To return an action, assign: action = {...}\n\n\n\n";

function selectionOf(model: string, field: string): Array<[string, string]> {
  return (recordedAttributes(model, field)?.selection as Array<[string, string]> | undefined) ?? [];
}

function withRecorded<T extends object>(model: string, field: string, definition: T): T {
  const recorded = recordedAttributes(model, field);
  return recorded === undefined ? definition : { ...definition, recorded };
}

function modelNameOf(env: Env, modelId: unknown): string | false {
  return typeof modelId === 'number'
    ? String(env.row('ir.model', modelId)?.model ?? '') || false
    : false;
}

function computedFilterDomain(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
  const triggerFields = Array.isArray(vals.trigger_field_ids)
    ? (vals.trigger_field_ids as unknown[][]).flatMap((command) => toIds(command[2]))
    : [];
  const selectionId = vals.trg_selection_field_id;
  if (
    vals.filter_domain !== undefined ||
    triggerFields.length === 0 ||
    typeof selectionId !== 'number'
  )
    return vals;
  const selection = env.row('ir.model.fields.selection', selectionId);
  const field = env.row('ir.model.fields', Number(selection?.field_id));
  if (selection === undefined || field === undefined) return vals;
  return { ...vals, filter_domain: `[(${pyRepr(field.name)}, '=', ${pyRepr(selection.value)})]` };
}

/** ir.actions.server names itself after its type (as Odoo 17 does on save). */
function actionName(
  env: Env,
  vals: Record<string, unknown>,
  current: Record<string, unknown> = {},
): string | undefined {
  const state = vals.state ?? current.state;
  if (state === 'code') return 'Execute Code';
  if (state === 'webhook') return 'Send Webhook Notification';
  if (state !== 'object_write') return undefined;
  const fieldId = vals.update_field_id ?? current.update_field_id;
  const field = typeof fieldId === 'number' ? env.row('ir.model.fields', fieldId) : undefined;
  return field === undefined ? 'Update Record' : `Update ${String(field.field_description)}`;
}

function readActions(env: Env, call: MethodCall): unknown {
  const ids = toIds(call.args[0]);
  const fields = (call.kwargs.fields ?? call.args[1]) as unknown;
  if (ids.length > 1 && Array.isArray(fields) && fields.includes('webhook_sample_payload')) {
    const models = [
      ...new Set(ids.map((id) => Number(env.row('ir.actions.server', id)?.model_id))),
    ];
    throw py.valueError(`Expected singleton: ir.model${pyTupleRepr(models)}`);
  }
  return genericMethods('ir.actions.server').read?.(env, call);
}

export const automationModels: ModelDef[] = [
  defineModel({
    name: 'ir.model',
    description: 'Models',
    order: 'model',
    fields: {
      name: f.char('Model Description', { required: true }),
      model: f.char('Model', { required: true }),
    },
  }),
  defineModel({
    name: 'ir.model.fields',
    description: 'Fields',
    order: 'name',
    displayName: (env, row) =>
      `${String(row.field_description)} (${String(env.row('ir.model', Number(row.model_id))?.name ?? row.model)})`,
    fields: {
      name: f.char('Field Name', { required: true }),
      model: f.char('Model Name'),
      model_id: f.m2o('ir.model', 'Model'),
      ttype: f.char('Field Type'),
      field_description: f.char('Field Label'),
      relation: f.char('Related Model'),
    },
  }),
  defineModel({
    name: 'ir.model.fields.selection',
    description: 'Fields Selection',
    order: 'sequence, id',
    fields: {
      field_id: f.m2o('ir.model.fields', 'Field'),
      value: f.char('Value'),
      name: f.char('Name'),
      sequence: f.int('Sequence'),
    },
  }),
  defineModel({
    name: 'ir.logging',
    description: 'Logging',
    order: 'id DESC',
    fields: {
      name: f.char('Name', { required: true }),
      type: f.selection('Type', [
        ['client', 'Client'],
        ['server', 'Server'],
      ]),
      level: f.char('Level'),
      path: f.char('Path'),
      func: f.char('Function'),
      line: f.char('Line'),
      message: f.text('Message'),
    },
  }),
  defineModel({
    name: 'base.automation',
    description: 'Automation Rule',
    order: 'sequence, id',
    fields: {
      name: f.char('Automation Rule Name', { required: true }),
      sequence: f.int('Sequence'),
      model_id: f.m2o('ir.model', 'Model', { required: true }),
      model_name: f.char('Model Name', { compute: (env, row) => modelNameOf(env, row.model_id) }),
      trigger: withRecorded(
        'base.automation',
        'trigger',
        f.selection('Trigger', selectionOf('base.automation', 'trigger'), { required: true }),
      ),
      trg_date_range_type: withRecorded(
        'base.automation',
        'trg_date_range_type',
        f.selection('Delay type', selectionOf('base.automation', 'trg_date_range_type')),
      ),
      trigger_field_ids: f.m2m('ir.model.fields', 'Trigger Fields'),
      trg_selection_field_id: f.m2o('ir.model.fields.selection', 'Trigger Field'),
      filter_pre_domain: f.char('Before Update Domain'),
      filter_domain: f.char('Apply on'),
      action_server_ids: f.o2m('ir.actions.server', 'base_automation_id', 'Actions'),
      active: f.bool('Active', { default: () => true }),
      webhook_uuid: f.char('Webhook UUID', { default: (env) => env.runtime.newUuid() }),
      url: f.char('URL', {
        compute: (env, row) =>
          row.trigger === 'on_webhook'
            ? `${env.runtime.baseUrl()}/web/hook/${String(row.webhook_uuid)}`
            : '',
      }),
      record_getter: f.char('Record Getter', { default: () => DEFAULT_RECORD_GETTER }),
      log_webhook_calls: f.bool('Log Calls'),
      last_run: f.datetime('Last Run'),
    },
    hooks: { prepareCreate: computedFilterDomain },
  }),
  defineModel({
    name: 'ir.actions.server',
    description: 'Server Actions',
    order: 'sequence,name',
    fields: {
      name: f.char('Action Name', { required: true }),
      model_id: f.m2o('ir.model', 'Model', { required: true }),
      model_name: f.char('Model Name', { compute: (env, row) => modelNameOf(env, row.model_id) }),
      state: withRecorded(
        'ir.actions.server',
        'state',
        f.selection('Type', selectionOf('ir.actions.server', 'state'), {
          required: true,
          default: () => 'object_write',
        }),
      ),
      usage: withRecorded(
        'ir.actions.server',
        'usage',
        f.selection('Usage', selectionOf('ir.actions.server', 'usage'), {
          default: () => 'ir_actions_server',
        }),
      ),
      base_automation_id: f.m2o('base.automation', 'Automation Rule'),
      sequence: f.int('Sequence', { default: () => 5 }),
      webhook_url: f.char('Webhook URL'),
      webhook_field_ids: f.m2m('ir.model.fields', 'Webhook Fields'),
      webhook_sample_payload: f.text('Sample Payload', {
        store: false,
        compute: (env, row) => samplePayload(env, row),
      }),
      code: f.text('Python Code', { default: () => DEFAULT_CODE }),
      update_path: f.char('Field to Update Path'),
      update_field_id: f.m2o('ir.model.fields', 'Field to Update'),
      evaluation_type: f.selection(
        'Value Type',
        [
          ['value', 'Update'],
          ['equation', 'Compute'],
        ],
        { default: () => 'value' },
      ),
      value: f.text('Value'),
    },
    hooks: {
      prepareCreate: (env, vals) => ({
        ...vals,
        name: actionName(env, vals) ?? vals.name ?? 'Server Action',
      }),
      beforeWrite(env, ids, vals) {
        for (const id of ids) {
          const name = actionName(env, vals, { ...env.row('ir.actions.server', id) });
          if (name !== undefined && vals.name === undefined)
            env.tx.update('ir.actions.server', id, { name });
        }
      },
    },
    methods: { read: readActions },
  }),
];
