/**
 * The replay of the customer-invoicing (`o2c-*`) and returns (`ret-*`) exchanges of the
 * second Odoo 17 recording (database `odoo17fx`, 2026-12-04; see the fixtures' README,
 * "Procure-to-pay, invoicing, returns and inventory"). They run on a simulator of their
 * own, named `odoo17fx`, in the lab's order. The lab's database had been re-created and
 * the procure-to-pay exchanges ran before these, so the id and name sequences are moved to
 * where the lab's were before each creation (nextIds/sequences below, each with the fixture
 * that shows the value); everything else is the same seed as for the first recording.
 */
import assert from 'node:assert/strict';
import type { CompareRule, ReplayContext } from './replay.ts';
import type { PlanStep } from './replay-plan.ts';

const fx = (name: string, rule?: CompareRule): PlanStep =>
  rule === undefined ? { kind: 'fixture', name } : { kind: 'fixture', name, rule };
const out = (name: string): PlanStep => ({ kind: 'outgoing', name });
const setup = (what: string, run: (ctx: ReplayContext) => Promise<void>): PlanStep => ({
  kind: 'setup',
  what,
  run,
});

/** Moves id and name sequences to where the lab's were, so created records get the recorded ids and names. */
const sequences = (what: string, ids: Record<string, number>, names: Record<string, number> = {}) =>
  setup(`next ids as in the lab: ${what}`, async (ctx) => {
    for (const [model, id] of Object.entries(ids)) ctx.sim.db.setNextId(model, id);
    for (const [code, next] of Object.entries(names)) ctx.sim.db.setSequence(code, next);
  });

/** The simulator's ir.model.fields ids of `fields` of `model` (the lab's ids are known only for some). */
function fieldIds(ctx: ReplayContext, model: string, fields: string[]): number[] {
  return fields.map((name) => {
    const [row] = ctx.sim.db.searchRead(
      'ir.model.fields',
      [
        ['model', '=', model],
        ['name', '=', name],
      ],
      ['id'],
    );
    assert.ok(row !== undefined, `the simulator has no field ${model}.${name}`);
    return Number(row.id);
  });
}

/**
 * The two webhook rules the procure-to-pay exchanges create (p2p-09: a receipt done,
 * p2p-10: a journal entry posted), as their create requests say: model, trigger field and
 * value, filter domain, listener path. Their webhook fields are the keys the recorded
 * payloads carry, by name: the lab's ids of most of them are not recorded.
 */
const WEBHOOK_RULES = setup(
  'create rules 3 (p2p-09, receipt done) and 4 (p2p-10, journal entry posted) with their actions 446 and 447 (the payloads name them), which send webhook-out-ret-01 and webhook-out-o2c-01/ret-02',
  async (ctx) => {
    ctx.sim.db.setNextId('base.automation', 3);
    ctx.sim.db.setNextId('ir.actions.server', 446);
    const rule = (
      name: string,
      model: string,
      modelId: number,
      trigger: number,
      selection: number,
      path: string,
      fields: string[],
      filter?: string,
    ) =>
      ctx.sim.db.call('base.automation', 'create', [
        {
          name,
          model_id: modelId,
          trigger: 'on_state_set',
          trigger_field_ids: [[6, 0, [trigger]]],
          trg_selection_field_id: selection,
          ...(filter === undefined ? {} : { filter_domain: filter }),
          action_server_ids: [
            [
              0,
              0,
              {
                name: 'Send Webhook Notification',
                model_id: modelId,
                state: 'webhook',
                usage: 'base_automation',
                webhook_url: `${ctx.listener.url}${path}`,
                webhook_field_ids: [[6, 0, fieldIds(ctx, model, fields)]],
              },
            ],
          ],
        },
      ]);
    await rule(
      'Lab: receipt done -> webhook',
      'stock.picking',
      498,
      6140,
      989,
      '/odoo/p2p/receipt-done',
      [
        'name',
        'state',
        'picking_type_code',
        'partner_id',
        'origin',
        'purchase_id',
        'scheduled_date',
        'date_done',
        'backorder_id',
        'return_id',
        'move_ids',
      ],
      "[('state', '=', 'done'), ('picking_type_code', '=', 'incoming')]",
    );
    await rule(
      'Lab: journal entry posted -> webhook',
      'account.move',
      450,
      4484,
      743,
      '/odoo/account/move-posted',
      [
        'name',
        'state',
        'move_type',
        'partner_id',
        'invoice_date',
        'invoice_date_due',
        'invoice_origin',
        'ref',
        'amount_total',
        'amount_residual',
        'payment_state',
        'currency_id',
        'reversed_entry_id',
      ],
    );
  },
);

const INVOICE_AFTER_DELIVERY: PlanStep[] = [
  WEBHOOK_RULES,
  sequences(
    'order 135 "S00139" (o2c-01, o2c-03) with lines 161-162, delivery 140 "WH/OUT/00124" with moves 164-165 (ret-03), invoice 29 "INV/2026/00005" with lines 79-80 (o2c-09, o2c-10); the receipts WH/IN/00007-8 of the procure-to-pay run came before (ret-06 is WH/IN/00009)',
    {
      'sale.order': 135,
      'sale.order.line': 161,
      'stock.picking': 140,
      'stock.move': 164,
      'stock.move.line': 157,
      'account.move': 29,
      'account.move.line': 79,
      // The first recording's database had used invoice wizard 1 (its seed says 2); the re-created odoo17fx had not (o2c-07).
      'sale.advance.payment.inv': 1,
    },
    {
      'sale.order': 139,
      'stock.picking.OUT': 124,
      'stock.picking.IN': 9,
      'account.move.INV.2026': 5,
    },
  ),
  ...[
    '01-create-sale.order',
    '02-action_confirm',
    '03-read-sale.order-confirmed',
    '04-button_validate-delivery',
    '05-confirm.stock.sms-dont_send_sms',
    '06-read-sale.order-delivered',
    '07-create-sale.advance.payment.inv',
    '08-create_invoices',
    '09-read-account.move-out_invoice-draft',
    '10-search_read-account.move.line-invoice-lines',
    '11-action_post-invoice',
  ].map((step) => fx(`o2c-${step}`)),
  out('webhook-out-o2c-01-move-posted'),
  ...[
    '12-read-account.move-out_invoice-posted',
    '13-read-sale.order-invoiced',
    '14-create-sale.order-to-stay-undelivered',
    '15-action_confirm-undelivered',
    '16-create-sale.advance.payment.inv-undelivered',
    '17-error-create_invoices-not-delivered',
  ].map((step) => fx(`o2c-${step}`)),
];

const CUSTOMER_RETURN: PlanStep[] = [
  ...[
    '01-default_get-stock.return.picking',
    '02-create-stock.return.picking',
    '03-search_read-stock.return.picking.line',
    '04-write-stock.return.picking-line-quantities',
    '05-create_returns',
    '06-read-stock.picking-customer-return',
    '07-search_read-stock.move-customer-return',
    '08-error-return-not-done-picking',
    '09-button_validate-customer-return',
  ].map((step) => fx(`ret-${step}`)),
  out('webhook-out-ret-01-receipt-done'),
  ...[
    '10-search_read-sale.order.line-after-return',
    '11-create-account.move.reversal',
    '12-read-account.move.reversal',
    '13-refund_moves',
    '14-read-account.move-credit-note-draft',
    '15-search_read-account.move.line-credit-note-lines',
    '16-write-account.move-credit-note-partial',
    '17-action_post-credit-note',
  ].map((step) => fx(`ret-${step}`)),
  out('webhook-out-ret-02-move-posted'),
  ...[
    '18-read-account.move-credit-note-and-invoice-after',
    '19-search_read-sale.order.line-after-credit-note',
  ].map((step) => fx(`ret-${step}`)),
  setup(
    'a draft move 31, as the vendor refund ret-27 left in the lab (ret-30 tries to reverse it)',
    async (ctx) => {
      ctx.sim.db.setNextId('account.move', 31);
      const id = await ctx.sim.db.call('account.move', 'create', [
        { move_type: 'in_refund', partner_id: 9, journal_id: 2 },
      ]);
      assert.equal(id, 31);
    },
  ),
  fx('ret-30-error-account.move.reversal-on-draft-move'),
];

/** Fixtures of this part of the recording that this plan does not replay, with the reason. */
export const NOT_REPLAYED_O2C_RET: Readonly<Record<string, string>> = {};

export const REPLAY_PLAN_O2C_RET: PlanStep[] = [...INVOICE_AFTER_DELIVERY, ...CUSTOMER_RETURN];

/**
 * The fixtures this plan is about: customer invoicing and returns of the second recording.
 * The return to the vendor (ret-20..29) returns goods of the procure-to-pay purchase order,
 * so the procure-to-pay contract replays it (replay-plan-p2p.ts).
 */
export const O2C_RET_FIXTURE = /^(o2c-|ret-(?!2\d-)|webhook-out-(o2c|ret)-)/;
