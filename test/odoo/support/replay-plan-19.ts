/**
 * The replay of test/fixtures/odoo19 on one simulator started as Odoo 19, in the lab's
 * order (see replay-plan.ts for the rules of the game). The simulator's database is the
 * Odoo 17 lab's demo data, not the 19 lab's, so:
 * - requests that name a demo record the 19 lab had (partner 9, product 39, picking 5,
 *   the field and model ids of automation rules) are sent with the id the same record has
 *   here (LAB_TO_SIM, plus what `learn*` steps read from earlier answers);
 * - id sequences are moved to the lab's before records are created, so created ids (and
 *   the requests that use them) are the recorded ones;
 * - answers made of business data are compared by SHAPE (types, keys, many2one pairs,
 *   false for empty, bare values without envelope) and their values are declared
 *   volatile (SEED); protocol answers (statuses, error bodies, HTML pages, true/null/id
 *   lists, wizard actions) are compared by value.
 */
import assert from 'node:assert/strict';
import type { Fixture } from './fixtures.ts';
import type { CompareRule, ReplayContext } from './replay.ts';
import type { PlanStep } from './replay-plan.ts';

export const SEED =
  "business values: the simulator's records are the Odoo 17 lab's demo data (other ids, names, stock and totals than the 19 lab's)";
const GROUPS =
  'the groups a refusal names are data: Odoo 19 reorganised them ("Products/Create", "Role / Administrator"); the first line (operation and model) is compared';
const VIEW_IDS = 'view ids are database-specific';

/** Lab (Odoo 19) id -> simulator id, per model, for demo records the requests name. */
export type IdMap = Map<string, Map<number, number>>;

export function seedIdMap(): IdMap {
  return new Map<string, Map<number, number>>([
    [
      'res.partner',
      new Map([
        [9, 10],
        [8, 9],
        [10, 11],
        [11, 12],
      ]),
    ],
    [
      'product.product',
      new Map([
        [39, 32],
        [27, 21],
        [31, 25],
      ]),
    ],
    ['stock.picking', new Map([[5, 22]])],
    ['res.users', new Map([[7, 8]])],
    [
      'ir.model',
      new Map([
        [604, 560],
        [90, 85],
      ]),
    ],
  ]);
}

/** Which model an id under this key names. */
const KEY_MODEL: Readonly<Record<string, string>> = {
  partner_id: 'res.partner',
  parent_id: 'res.partner',
  product_id: 'product.product',
  picking_id: 'stock.picking',
  backorder_id: 'stock.picking',
  user_id: 'res.users',
  model_id: 'ir.model',
  field_id: 'ir.model.fields',
  trigger_field_ids: 'ir.model.fields',
  webhook_field_ids: 'ir.model.fields',
  trg_selection_field_id: 'ir.model.fields.selection',
};

function translateNumbers(value: unknown, model: string, ids: IdMap): unknown {
  if (typeof value === 'number') return ids.get(model)?.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => translateNumbers(item, model, ids));
  return value;
}

function translate(value: unknown, key: string | null, urlModel: string, ids: IdMap): unknown {
  if (Array.isArray(value)) {
    // A domain leaf [field, operator, value] naming records by id.
    const [field, operator, operand] = value as unknown[];
    if (
      value.length === 3 &&
      typeof field === 'string' &&
      typeof operator === 'string' &&
      (field === 'id' || field in KEY_MODEL)
    ) {
      return [
        field,
        operator,
        translateNumbers(operand, field === 'id' ? urlModel : (KEY_MODEL[field] ?? ''), ids),
      ];
    }
    const model = key === null ? undefined : key === 'ids' ? urlModel : KEY_MODEL[key];
    if (model !== undefined && value.every((item) => typeof item === 'number'))
      return translateNumbers(value, model, ids);
    if (model !== undefined && key !== null && key.endsWith('_ids'))
      return translateNumbers(value, model, ids);
    return value.map((item) => translate(item, key, urlModel, ids));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, member]) => [name, translate(member, name, urlModel, ids)]),
    );
  }
  const model = key === null ? undefined : key === 'ids' ? urlModel : KEY_MODEL[key];
  return typeof value === 'number' && model !== undefined
    ? translateNumbers(value, model, ids)
    : value;
}

/** The recorded request with the lab's demo-record ids replaced by the simulator's. */
export function translateRequest(fixture: Fixture, ids: IdMap): Fixture {
  const urlModel = /^\/json\/2\/([^/]+)\//.exec(fixture.request.path)?.[1] ?? '';
  const body =
    typeof fixture.request.body === 'object' && fixture.request.body !== null
      ? translate(fixture.request.body, null, urlModel, ids)
      : fixture.request.body;
  return { ...fixture, request: { ...fixture.request, body } };
}

export interface Replay19Context extends ReplayContext {
  ids: IdMap;
}

const fx = (name: string, rule?: CompareRule): PlanStep =>
  rule === undefined ? { kind: 'fixture', name } : { kind: 'fixture', name, rule };
const data = (name: string, extra: Omit<CompareRule, 'volatile'> = {}): PlanStep =>
  fx(name, {
    volatile: ['$'],
    emptyMayDiffer: true,
    ...extra,
    why: extra.why === undefined ? SEED : `${SEED}; ${extra.why}`,
  });
const setup = (what: string, run: (ctx: ReplayContext) => Promise<void>): PlanStep => ({
  kind: 'setup',
  what,
  run,
});

/** Moves id sequences to where the lab's were, so created records get the recorded ids. */
const nextIds = (what: string, next: Record<string, number>) =>
  setup(`next ids as in the lab: ${what}`, async (ctx) => {
    for (const [model, id] of Object.entries(next)) ctx.sim.db.setNextId(model, id);
  });

/** Maps the lab's ir.model.fields (and selection) ids, read from the recorded answer, to ours by model and name. */
function learnFields(model: string, recorded: Fixture, ctx: ReplayContext): void {
  const ids = (ctx as Replay19Context).ids;
  const fields = ids.get('ir.model.fields') ?? new Map<number, number>();
  ids.set('ir.model.fields', fields);
  for (const row of recorded.response.body as Array<{ id: number; name: string }>) {
    const [ours] = ctx.sim.db.searchRead(
      'ir.model.fields',
      [
        ['model', '=', model],
        ['name', '=', row.name],
      ],
      ['id'],
    );
    assert.ok(ours !== undefined, `the simulator has no field ${model}.${row.name}`);
    fields.set(row.id, Number(ours.id));
  }
}

const META: PlanStep[] = [
  fx('01-version-GET-web-version'),
  fx('02-version-GET-json-version'),
  fx('03-json2-POST-json-2-no-model'),
  fx('04-json2-GET-wrong-http-method'),
  fx('05-json2-PUT-wrong-http-method'),
];

export const NOT_REPLAYED_19: Readonly<Record<string, string>> = {
  '06-doc-bearer-res.partner.category':
    'GET /doc-bearer/<model>.json (the api_doc add-on) describes a model for people; Crossdock never calls it, and the simulator does not serve it',
};

const AUTH_AND_BODY: PlanStep[] = [
  fx('07-error-auth-no-authorization-header'),
  fx('08-error-auth-wrong-key'),
  fx('09-error-auth-basic-scheme'),
  data('10-json2-no-database-header'),
  fx('11-error-unknown-database-header'),
  fx('12-error-content-type-text-plain'),
  fx('13-error-malformed-json'),
  fx('14-error-body-json-array'),
];

const READS: PlanStep[] = [
  data('15-search_read-res.partner-companies'),
  data('16-name_search-res.partner'),
  data('17-read-res.partner'),
  data('18-search-res.partner'),
  data('19-search_count-res.partner'),
  data('20-fields_get-res.partner-subset'),
  data('21-search_read-res.partner-context-active_test'),
  data('22-search_read-product.product', {
    ignore: ['$: expected 4 items, got 3'],
    why: 'the Odoo 17 demo data the simulator holds has no product FURN_7800',
  }),
  data('23-read-product.product-context-warehouse'),
  data('24-search_read-sale.order'),
  data('25-search_count-sale.order-state-sale'),
  data('26-fields_get-sale.order-subset', {
    ignore: ['$.delivery_status.selection: expected 4 items, got 3'],
  }),
  data('27-search_read-sale.order.line'),
  data('28-search_read-stock.picking-assigned'),
  data('29-fields_get-stock.picking-subset'),
  data('30-read-missing-id'),
];

const FLOWS: PlanStep[] = [
  nextIds('order 35 "S00037", its lines 61-62, its delivery 65 with moves 95-96', {
    'sale.order': 35,
    'sale.order.line': 61,
    'stock.picking': 65,
    'stock.move': 95,
  }),
  fx('31-create-sale.order'),
  data('32-read-sale.order-draft'),
  fx('33-action_confirm-sale.order'),
  data('34-read-sale.order-confirmed'),
  fx('35-write-sale.order'),
  data('36-read-ids-as-integer'),
  fx('37-create-sale.order-vals_list-as-dict'),
  fx('38-unlink-sale.order-draft'),
  nextIds('message 671 and activity 25 on order 35', { 'mail.message': 671, 'mail.activity': 25 }),
  fx('39-message_post-sale.order-note'),
  fx('40-activity_schedule-sale.order'),
  data('41-read-mail.message'),
  setup(
    'the company has answered the SMS question of its first delivery already (the 19 lab had: 44 returned true)',
    async (ctx) => {
      await ctx.sim.db.call('res.company', 'write', [
        [1],
        { has_received_warning_stock_sms: true },
      ]);
    },
  ),
  data('42-read-stock.picking-of-order'),
  data('43-search_read-stock.move-of-picking'),
  fx('44-button_validate-stock.picking'),
  data('45-read-stock.picking-done'),
  nextIds('order 37 "S00039" with delivery 66 (move 97), backorder wizard 3, backorder 67', {
    'sale.order': 37,
    'sale.order.line': 63,
    'stock.picking': 66,
    'stock.move': 97,
    'stock.backorder.confirmation': 3,
  }),
  fx('46-create-sale.order-for-backorder'),
  fx('47-action_confirm-sale.order-for-backorder'),
  data('48-read-sale.order-for-backorder'),
  data('49-search_read-stock.move-backorder-case'),
  fx('50-write-stock.move-partial-quantity'),
  fx('51-button_validate-stock.picking-backorder-wizard', {
    volatile: ['$.views', '$.view_id'],
    why: VIEW_IDS,
  }),
  fx('52-create-stock.backorder.confirmation'),
  fx('53-process-stock.backorder.confirmation'),
  data('54-search_read-stock.picking-backorder'),
  nextIds('purchase order 15 with line 27', { 'purchase.order': 15, 'purchase.order.line': 27 }),
  fx('55-create-purchase.order'),
  fx('56-button_confirm-purchase.order'),
  data('57-read-purchase.order'),
];

const ERRORS: PlanStep[] = [
  fx('58-error-unknown-model'),
  fx('59-error-unknown-method'),
  fx('60-error-private-method'),
  fx('61-error-unknown-field-in-fields'),
  fx('62-error-unknown-field-in-domain'),
  fx('63-error-wrong-kwarg-read'),
  fx('64-error-wrong-kwarg-search_read'),
  fx('65-error-positional-args'),
  fx('66-error-ids-on-model-method'),
  fx('67-error-missing-required-argument'),
  fx('68-error-user-error-confirm-twice'),
  fx('69-error-user-error-unlink-confirmed'),
  fx('70-error-validation-recursive-partner'),
  fx('71-error-missing-required-field'),
  fx('72-error-missing-record-write'),
  fx('73-error-selection-invalid-value'),
  // The lab's SQL excerpt after the first line cannot be reproduced without PostgreSQL.
  fx('74-error-wrong-type-many2one-string', { errorMessage: 'first-line' }),
  fx('75-do_unreserve-returns-null'),
  data('76-salesuser-search_read-sale.order-own-only'),
  fx('77-salesuser-error-access-create-product', { errorMessage: 'first-line', why: GROUPS }),
  fx('78-salesuser-error-access-read-other-order', {
    volatile: ['$.message', '$.arguments', '$.debug'],
    why: 'the restricted user is "Lab Sales User" (id=8) here, "Sales User (lab)" (id=7) in the 19 lab',
  }),
  fx('79-salesuser-error-access-admin-model', { errorMessage: 'first-line', why: GROUPS }),
];

const LEGACY: PlanStep[] = [
  nextIds('order 39 "S00042" created over /jsonrpc', { 'sale.order': 39 }),
  fx('80-jsonrpc-common-version'),
  fx('81-jsonrpc-execute_kw-create-sale.order'),
  fx('82-jsonrpc-execute_kw-action_confirm'),
  data('83-jsonrpc-execute_kw-read'),
  fx('84-jsonrpc-error-unknown-model'),
  setup(
    'every legacy call logged the deprecation warning, as the 19 server does (its answers say nothing of it)',
    async (ctx) => {
      const warnings = ctx.sim.serverLog.filter(
        (entry) =>
          entry.level === 'WARNING' &&
          entry.message.includes('deprecated in Odoo 19 and scheduled for removal in Odoo 20'),
      );
      assert.equal(warnings.length, 5, 'one per /jsonrpc call (80-84)');
    },
  ),
];

export { META, AUTH_AND_BODY, READS, FLOWS, ERRORS, LEGACY, fx, data, setup, nextIds, learnFields };
