/**
 * The order in which the fixtures are replayed on ONE freshly seeded simulator, and the
 * setup steps between them. The lab recorded its exchanges in this order on one
 * database (the README and the ids in the fixtures show it: flow A made order 25,
 * the failed create of error-wrong-type-many2one-name consumed S00031, ...). Replaying
 * in the same order makes the simulator produce the same ids, so later requests,
 * which name records by id, hit the right records.
 *
 * Setup steps stand for lab actions that were not recorded but that later fixtures
 * depend on; each says which fixture needs it and how we know what it was.
 */
import assert from 'node:assert/strict';
import { loadFixture } from './fixtures.ts';
import type { ActualExchange, CompareRule, ReplayContext } from './replay.ts';

export type PlanStep =
  | {
      kind: 'fixture';
      name: string;
      rule?: CompareRule;
      after?: (ctx: ReplayContext, actual: ActualExchange) => Promise<void> | void;
    }
  | { kind: 'outgoing'; name: string; rule?: CompareRule }
  | { kind: 'setup'; what: string; run: (ctx: ReplayContext) => Promise<void> };

const fx = (name: string, rule?: CompareRule): PlanStep =>
  rule === undefined ? { kind: 'fixture', name } : { kind: 'fixture', name, rule };
const out = (name: string, rule?: CompareRule): PlanStep =>
  rule === undefined ? { kind: 'outgoing', name } : { kind: 'outgoing', name, rule };
const setup = (what: string, run: (ctx: ReplayContext) => Promise<void>): PlanStep => ({
  kind: 'setup',
  what,
  run,
});
const call = (
  ctx: ReplayContext,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
) => ctx.sim.db.call(model, method, args, kwargs);

function webhookAction(
  ctx: ReplayContext,
  modelId: number,
  path: string,
  fieldIds: number[],
): unknown[] {
  return [
    [
      0,
      0,
      {
        name: 'Send Webhook Notification',
        model_id: modelId,
        state: 'webhook',
        usage: 'base_automation',
        webhook_url: `${ctx.listener.url}${path}`,
        webhook_field_ids: [[6, 0, fieldIds]],
      },
    ],
  ];
}

/** The recorded webhook_uuid of a rule, from the final readback (automation-10). */
function recordedUuid(ruleId: number): string {
  const rules = (
    loadFixture('automation-10-readback-base.automation').response.body as {
      result: Array<{ id: number; webhook_uuid: string }>;
    }
  ).result;
  const rule = rules.find((candidate) => candidate.id === ruleId);
  assert.ok(rule !== undefined, `automation-10 has no rule ${ruleId}`);
  return rule.webhook_uuid;
}

/** Webhook UUIDs are random per server: map the lab's to ours, both ways. */
function captureUuid(ruleId: number) {
  return (ctx: ReplayContext) => {
    const [rule] = ctx.sim.db.searchRead(
      'base.automation',
      [['id', '=', ruleId]],
      ['webhook_uuid'],
    );
    ctx.substitutions.set(recordedUuid(ruleId), String(rule?.webhook_uuid));
    ctx.mapBack.set(String(rule?.webhook_uuid), recordedUuid(ruleId));
  };
}

const captureSession = (ctx: ReplayContext, actual: ActualExchange) => {
  const session = /session_id=([^;]+)/.exec(actual.setCookie ?? '')?.[1];
  assert.ok(session !== undefined, 'web/session/authenticate set no session cookie');
  ctx.substitutions.set('<SESSION_ID>', session);
};

const META: PlanStep[] = [
  fx('web-webclient-version_info'),
  fx('jsonrpc-common-version'),
  fx('jsonrpc-common-authenticate-apikey'),
  fx('jsonrpc-common-authenticate-password'),
  fx('jsonrpc-common-authenticate-wrong-password'),
  fx('jsonrpc-common-authenticate-unknown-login'),
  fx('jsonrpc-common-authenticate-wrong-db'),
  fx('jsonrpc-common-login-apikey'),
  fx('jsonrpc-common-about'),
  fx('jsonrpc-db-list'),
  fx('jsonrpc-execute_kw-wrong-password'),
  fx('jsonrpc-execute_kw-wrong-uid'),
  fx('jsonrpc-execute_kw-uid-as-login-string'),
  { kind: 'fixture', name: 'web-session-authenticate', after: captureSession },
  fx('web-session-authenticate-wrong-password'),
  fx('web-session-authenticate-apikey'),
  fx('jsonrpc-unknown-service'),
  fx('jsonrpc-unknown-common-method'),
  fx('jsonrpc-no-id'),
  fx('jsonrpc-get'),
  fx('jsonrpc-malformed-json'),
  fx('jsonrpc-wrong-content-type'),
  fx('web-dataset-call_kw-search_read'),
  fx('web-session-get_session_info'),
  fx('web-session-destroy'),
  fx('web-dataset-call_kw-no-session'),
];

const READS: PlanStep[] = [
  'execute_kw-search_read-res.partner-customers',
  'execute_kw-search_read-res.partner-offset',
  'execute_kw-search_read-res.partner-context-lang',
  'execute_kw-search_read-product.product',
  'execute_kw-search_read-product.product-offset',
  'execute_kw-search_read-product.product-context-warehouse',
  'execute_kw-search_read-sale.order',
  'execute_kw-search_read-sale.order-state-in',
  'execute_kw-search_read-sale.order-or-domain',
  'execute_kw-search_read-sale.order.line',
  'execute_kw-search_read-stock.picking',
  'execute_kw-search_read-stock.move',
  'execute_kw-search_read-stock.quant',
  'execute_kw-search_read-stock.warehouse.orderpoint',
  'execute_kw-search_read-stock.warehouse',
  'execute_kw-search_read-purchase.order',
  'execute_kw-search_read-account.move-invoices',
  'execute_kw-search_read-delivery.carrier',
  'execute_kw-search_read-sale.order-write_date-gt',
  'execute_kw-search_read-product-write_date-gt-future',
  'execute_kw-search_read-write_date-iso-T',
  'execute_kw-search_read-no-fields',
  'execute_kw-search_read-positional-args',
  'execute_kw-fields_get-sale.order',
  'execute_kw-fields_get-stock.picking',
  'execute_kw-fields_get-subset',
  'execute_kw-fields_get-no-attributes',
  'execute_kw-search_count-sale.order',
  'execute_kw-search-sale.order',
  'execute_kw-read-sale.order',
  'execute_kw-read-single-id',
  'execute_kw-read-missing-id',
  'execute_kw-name_search-res.partner',
  'execute_kw-name_search-product-operator',
  'execute_kw-read_group-sale.order',
  'execute_kw-default_get-sale.order',
  'execute_kw-check_access_rights',
  'execute_kw-search_read-ir.model.data-xmlid',
].map((name) => fx(name));

export const MESSAGE_IDS =
  'mail.message ids: Odoo 17 logs more chatter messages than the simulator (on pickings, invoices, followers), so ids of later messages differ';

const FLOWS: PlanStep[] = [
  ...[
    '01-create-sale.order',
    '02-read-sale.order-draft',
    '03-action_confirm',
    '04-read-sale.order-confirmed',
    '05-read-stock.picking',
    '06-action_assign',
    '07-read-stock.move-after-assign',
    '08-button_validate-full',
    '08b-confirm.stock.sms-dont_send_sms',
    '09-read-stock.picking-done',
    '10-read-sale.order-delivered',
    '11-search_read-sale.order.line-delivered',
    '12-create-sale.advance.payment.inv',
    '13-create_invoices',
    '14-read-account.move-draft',
    '15-action_post',
    '16-read-account.move-posted',
    '17-read-sale.order-invoiced',
  ].map((step) => fx(`flow-a-${step}`)),
  fx('chatter-message_post-note', { volatile: ['$'], why: MESSAGE_IDS }),
  fx('chatter-message_post-html', { volatile: ['$'], why: MESSAGE_IDS }),
  fx('chatter-read-mail.message', { volatile: ['$[*].id'], why: MESSAGE_IDS }),
  fx('chatter-activity_schedule'),
  fx('chatter-read-mail.activity'),
  fx('chatter-create-mail.activity'),
  ...[
    '01-create-sale.order-list',
    '02-action_confirm',
    '03-read-stock.picking',
    '04-read-stock.move',
    '05-write-stock.move-quantity',
    '06-button_validate-partial',
    '07-create-stock.backorder.confirmation',
    '08-backorder-process',
    '09-read-pickings-after-backorder',
    '10-read-sale.order',
    '11-search_read-stock.quant-chair',
  ].map((step) => fx(`flow-b-${step}`)),
  ...[
    '01-create-sale.order',
    '02-create-choose.delivery.carrier',
    '03-choose.delivery.carrier-button_confirm',
    '04-action_confirm',
    '05-read-sale.order.line-with-delivery-line',
    '06-read-stock.picking-carrier',
    '07-write-carrier_tracking_ref',
    '08-do_unreserve-returns-null',
    '09-read-after-unreserve',
    '10-button_validate-nothing-reserved',
  ].map((step) => fx(`flow-c-${step}`)),
  ...[
    '01-create-sale.order',
    '02-action_confirm',
    '03-button_validate-true',
    '04-read-stock.picking-done',
    '05-button_validate-again',
  ].map((step) => fx(`flow-d-${step}`)),
];

const ERRORS: PlanStep[] = [
  ...[
    'unknown-model',
    'unknown-field-in-fields',
    'unknown-field-in-domain',
    'invalid-domain-operator',
    'write-missing-record',
    'unlink-missing-record',
    'read-missing-record-with-existing',
    'unknown-method',
    'private-method',
    'user-error-confirm-twice',
    'user-error-unlink-confirmed',
  ].map((name) => fx(`error-${name}`)),
  setup(
    'create quotation 29 without lines (error-confirm-order-without-lines confirms it; its partner 12 is in automation-11c)',
    async (ctx) => {
      assert.equal(await call(ctx, 'sale.order', 'create', [{ partner_id: 12 }]), 29);
    },
  ),
  ...[
    'confirm-order-without-lines',
    'validation-recursive-partner',
    'missing-required-field',
    'wrong-type-float-string',
  ].map((name) => fx(`error-${name}`)),
  // The lab's SQL excerpt after the first line cannot be reproduced without PostgreSQL.
  fx('error-wrong-type-many2one-name', { errorMessage: 'first-line' }),
  ...[
    'wrong-type-ids-string',
    'wrong-type-domain-string',
    'wrong-kwarg',
    'selection-invalid-value',
    'args-not-list',
  ].map((name) => fx(`error-${name}`)),
  ...[
    'salesuser-search_read-own-orders',
    'error-read-record-rule',
    'error-create-acl',
    'error-write-product',
    'error-unlink-partner',
    'salesuser-check_access_rights',
    'error-admin-only-model',
  ].map((name) => fx(`access-${name}`)),
  fx('create-res.partner-context-lang-tracking_disable'),
  fx('write-res.partner-many-ids'),
];

const XMLRPC: PlanStep[] = [
  'xmlrpc-common-version',
  'xmlrpc-common-authenticate-apikey',
  'xmlrpc-common-authenticate-wrong-password',
  'xmlrpc-object-execute_kw-search_read-res.partner',
  'xmlrpc-object-execute_kw-create',
  'xmlrpc-object-execute_kw-write',
  'xmlrpc-object-execute_kw-read-sale.order',
  'xmlrpc-object-execute_kw-search_count',
  'xmlrpc-object-execute_kw-fields_get-subset',
  'xmlrpc-object-execute_kw-name_search',
  'xmlrpc-fault-user-error',
  'xmlrpc-fault-access-error',
  'xmlrpc-fault-missing-error',
  'xmlrpc-fault-private-method',
  'xmlrpc-fault-unknown-field',
  'xmlrpc-fault-unknown-model',
  'xmlrpc-fault-validation-error',
  'xmlrpc-fault-wrong-password',
  'xmlrpc-fault-none-result',
  'xmlrpc-object-activity_schedule-recordset',
  'xmlrpc-malformed-xml',
  'xmlrpc-v1-object-execute-search',
  'xmlrpc-v1-object-execute-fault',
].map((name) => fx(name));

export { META, READS, FLOWS, ERRORS, XMLRPC, fx, out, setup, call, webhookAction, captureUuid };
