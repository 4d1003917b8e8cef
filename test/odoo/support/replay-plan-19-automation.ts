/**
 * The automation part of the Odoo 19 replay, and the complete plan: the rule that posts
 * a webhook when an order is confirmed (it must arrive after the commit: the listener's
 * probe reads the committed order as "sale"), and the rule whose code action fails after
 * its webhook action (Odoo 19 sends nothing: the webhook is dropped with the rollback).
 */
import assert from 'node:assert/strict';
import { loadFixture } from './fixtures.ts';
import type { CompareRule, ReplayContext } from './replay.ts';
import type { PlanStep } from './replay-plan.ts';
import {
  AUTH_AND_BODY,
  data,
  ERRORS,
  FLOWS,
  fx,
  learnFields,
  LEGACY,
  META,
  nextIds,
  READS,
  setup,
  type Replay19Context,
} from './replay-plan-19.ts';

const PAYLOAD_VALUES: CompareRule = {
  volatile: ['payload.partner_id', 'payload.name', 'payload.amount_total', 'payload.currency_id'],
  why: "the order's customer, name (sequence), total and currency come from the simulator's Odoo 17 demo data",
};

const learn = (model: string, name: string) => (ctx: ReplayContext) =>
  learnFields(model, loadFixture(name, 'odoo19'), ctx);

function learnSelection(ctx: ReplayContext): void {
  const ids = (ctx as Replay19Context).ids;
  const [recorded] = loadFixture('86-search_read-ir.model.fields.selection-sale-state', 'odoo19')
    .response.body as Array<{ id: number }>;
  const state = ids.get('ir.model.fields')?.get(8127);
  const [ours] = ctx.sim.db.searchRead(
    'ir.model.fields.selection',
    [
      ['field_id', '=', state],
      ['value', '=', 'sale'],
    ],
    ['id'],
  );
  assert.ok(
    recorded !== undefined && ours !== undefined,
    'the sale.order state selection "sale" is known on both sides',
  );
  ids.set('ir.model.fields.selection', new Map([[recorded.id, Number(ours.id)]]));
}

const AUTOMATION: PlanStep[] = [
  {
    kind: 'fixture',
    name: '85-search_read-ir.model.fields-for-webhook',
    rule: { volatile: ['$'], why: 'field ids are database-specific' },
    after: learn('sale.order', '85-search_read-ir.model.fields-for-webhook'),
  },
  {
    kind: 'fixture',
    name: '86-search_read-ir.model.fields.selection-sale-state',
    rule: { volatile: ['$'], why: 'field ids are database-specific' },
    after: learnSelection,
  },
  nextIds('rule 4 with its webhook action 485', { 'base.automation': 4, 'ir.actions.server': 485 }),
  fx('87-create-base.automation-so-confirmed-webhook'),
  data('88-read-base.automation'),
  setup(
    'probe like the lab listener: read the committed order state when the webhook arrives',
    async (ctx) => {
      ctx.listener.setProbe(
        '/odoo19/sale-confirmed',
        (body) =>
          ctx.sim.db.searchRead(
            'sale.order',
            [['id', '=', (body as { id: number }).id]],
            ['state'],
          )[0]?.state,
      );
    },
  ),
  nextIds('order 40 "S00043" with line 65', { 'sale.order': 40, 'sale.order.line': 65 }),
  fx('89-create-sale.order-for-webhook'),
  fx('90-action_confirm-sale.order-webhook'),
  { kind: 'outgoing', name: 'webhook-out-01-sale-confirmed', rule: PAYLOAD_VALUES },
  setup(
    'the webhook left after the commit: the probe read the order already confirmed ("sale"; Odoo 17 showed "draft")',
    async (ctx) => {
      assert.equal(
        ctx.listener.received.find((entry) => entry.path === '/odoo19/sale-confirmed')?.probe,
        'sale',
      );
    },
  ),
  {
    kind: 'fixture',
    name: '91-search_read-ir.model.fields-res.partner-name',
    rule: { volatile: ['$'], why: 'field ids are database-specific' },
    after: learn('res.partner', '91-search_read-ir.model.fields-res.partner-name'),
  },
  fx('92-create-base.automation-rollback-test'),
  fx('93-create-res.partner-rolled-back'),
  setup(
    'the rolled-back create sent no webhook, and the server logged the cancellation',
    async (ctx) => {
      assert.equal(
        ctx.listener.received.filter((entry) => entry.path === '/odoo19/rollback-test').length,
        0,
      );
      assert.ok(
        ctx.sim.serverLog.some((entry) =>
          entry.message.endsWith('/odoo19/rollback-test - cancelled due to a rollback'),
        ),
      );
      assert.equal(
        ctx.sim.db.searchRead('res.partner', [['name', '=like', 'ROLLBACK19%']]).length,
        0,
      );
    },
  ),
  fx('94-write-base.automation-rollback-deactivate'),
  fx('95-write-base.automation-deactivate'),
];

export const REPLAY_PLAN_19: readonly PlanStep[] = [
  ...META,
  ...AUTH_AND_BODY,
  ...READS,
  ...FLOWS,
  ...ERRORS,
  ...LEGACY,
  ...AUTOMATION,
];
export { NOT_REPLAYED_19 } from './replay-plan-19.ts';
