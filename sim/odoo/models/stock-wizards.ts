/**
 * The two wizards button_validate can return (flow-a-08b, flow-b-07/08). Both re-run
 * button_validate on the pickings named by the context key `button_validate_picking_ids`
 * (or their own pick_ids), with the context flag that skips their own question.
 */
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import { defineModel } from './define.ts';
import { buttonValidate } from './stock-validate.ts';

function pickingsToValidate(env: Env, model: string, wizardIds: number[]): number[] {
  const fromContext = env.context.button_validate_picking_ids;
  if (Array.isArray(fromContext)) return toIds(fromContext);
  return wizardIds.flatMap((id) => toIds(env.row(model, id)?.pick_ids));
}

async function answerSms(env: Env, { args }: MethodCall): Promise<unknown> {
  const ids = toIds(args[0]);
  // Odoo stores the answer on the company so later deliveries validate directly.
  await env.sudo().write('res.company', [1], { has_received_warning_stock_sms: true });
  return buttonValidate(
    env.withContext({ skip_sms: true }),
    pickingsToValidate(env, 'confirm.stock.sms', ids),
  );
}

function processBackorder(cancelBackorder: boolean) {
  return (env: Env, { args }: MethodCall): Promise<unknown> => {
    const pickings = pickingsToValidate(env, 'stock.backorder.confirmation', toIds(args[0]));
    return buttonValidate(
      env.withContext({ skip_backorder: true, cancel_backorder: cancelBackorder }),
      pickings,
    );
  };
}

export const stockWizardModels: ModelDef[] = [
  defineModel({
    name: 'confirm.stock.sms',
    description: 'Confirm Stock SMS',
    order: 'id',
    transient: true,
    fields: {
      pick_ids: f.m2m('stock.picking', 'Pick'),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    },
    methods: { dont_send_sms: answerSms, send_sms: answerSms },
  }),
  defineModel({
    name: 'stock.backorder.confirmation',
    description: 'Backorder Confirmation',
    order: 'id',
    transient: true,
    fields: { pick_ids: f.m2m('stock.picking', 'Pick'), show_transfers: f.bool('Show Transfers') },
    methods: { process: processBackorder(false), process_cancel_backorder: processBackorder(true) },
  }),
];
