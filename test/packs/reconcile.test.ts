import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CaseView } from '../../src/exceptions/index.ts';
import type { SweepFinding } from '../../src/operations/index.ts';
import { runCrossdock } from '../support/cli.ts';
import { waitForRun } from '../support/engine.ts';
import { eventually, HOUR, packHarness, type PackHarness } from './support.ts';

/**
 * The reconciliation sweep, end to end on the simulators. Five fall-throughs are made in
 * Odoo the way they happen: an order held for stock whose delivery becomes Ready, and an
 * order confirmed, while the automation rules are switched off and the poller is an hour
 * away; a freight delivery and a booked delivery validated by the warehouse with no carrier
 * proof; a purchase order past its planned date. The sweep fixes or cases each, once; a
 * second sweep (the CLI, through the server's API) finds nothing new.
 */
const WH_STOCK = 8;

interface SweepAnswer {
  runId: string;
  status: string;
  sweep: { new: number; known: number; findings: SweepFinding[] };
}

describe('reconciliation sweep', () => {
  let h: PackHarness;
  let token: string;
  /** Crossdock's first day: the demo's older orders are not what the sweep looks at. */
  let since: string;
  before(async () => {
    h = await packHarness({ odooPollIntervalMs: 2 * HOUR });
    since = new Date().toISOString();
    const { users, tokens } = h.crossdock.services;
    const operator = await users.create({ email: 'recon@demo.crossdock.test', role: 'operator' });
    token = (await tokens.create({ id: operator.id, role: 'operator' }, { name: 'recon' }, null))
      .token;
  });
  after(() => h.close());

  const sweep = async (): Promise<SweepAnswer> => {
    const response = await fetch(`${h.instance.url}/api/v1/reconcile`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ since, settle: '0m' }),
    });
    const answer = (await response.json()) as SweepAnswer;
    assert.equal(response.status, 200, JSON.stringify(answer));
    assert.equal(answer.status, 'completed', JSON.stringify(answer));
    return answer;
  };
  const deliveryOf = async (orderId: number) => {
    const [picking] = await h.rpc<{ id: number; name: string }[]>(
      'stock.picking',
      'search_read',
      [
        [
          ['sale_id', '=', orderId],
          ['picking_type_code', '=', 'outgoing'],
        ],
      ],
      { fields: ['name'], order: 'id asc', limit: 1 },
    );
    return picking!;
  };
  const validate = async (pickingId: number) =>
    assert.equal(
      await h.rpc('stock.picking', 'button_validate', [[pickingId]], {
        context: { skip_sms: true },
      }),
      true,
    );
  const casesOf = async (model: string, id: number): Promise<CaseView[]> =>
    (await h.crossdock.services.exceptions.list({ status: 'open', limit: 500 })).cases.filter(
      (c) => c.subject?.model === model && Number(c.subject.id) === id,
    );

  test('five fall-throughs are each fixed or cased once; a second sweep finds nothing new', async () => {
    // 0. A purchase order confirmed, planned for now: by the time of the sweep it is late, and
    //    nothing has been received.
    const vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Trennwand Werke GmbH', is_company: true },
    ])) as number;
    const planned = new Date().toISOString().slice(0, 19).replace('T', ' ');
    const purchase = (await h.odoo.db.call('purchase.order', 'create', [
      {
        partner_id: vendor,
        date_planned: planned,
        order_line: [
          [
            0,
            0,
            {
              product_id: h.catalog.products[0]!.id,
              product_qty: 10,
              price_unit: 22,
              date_planned: planned,
            },
          ],
        ],
      },
    ])) as number;
    await h.rpc('purchase.order', 'button_confirm', [[purchase]]);
    // 1. A freight order (4 x 28 kg): released, its dispatch ends in a freight case without a
    //    booking; the warehouse then validates the delivery by hand (no tracking reference).
    const freight = await h.placeOrder('Nordhafen', [['Standing Desk Frame', 4]]);
    const freightDispatch = await h.runFor('dispatch', freight.id, ['completed', 'failed']);
    assert.equal(freightDispatch.status, 'completed', JSON.stringify(freightDispatch.error));
    const freightDelivery = await deliveryOf(freight.id);
    await validate(freightDelivery.id);
    // 2. A routine order, booked with a carrier; the warehouse validates its delivery, and the
    //    carrier never reports it delivered, so the delivery-to-cash pack never invoices it.
    const shipped = await h.placeOrder('Nordhafen', [['Steel Shelving Unit', 1]]);
    const shippedDispatch = await h.runFor('dispatch', shipped.id, ['completed', 'failed']);
    assert.equal(shippedDispatch.status, 'completed', JSON.stringify(shippedDispatch.error));
    const shippedDelivery = await deliveryOf(shipped.id);
    await validate(shippedDelivery.id);
    // 3. An order of a product with no stock: held for the warehouse.
    const template = (await h.odoo.db.call('product.template', 'create', [
      {
        name: 'Mesh Partition Panel',
        type: 'product',
        list_price: 40,
        standard_price: 22,
        weight: 6,
      },
    ])) as number;
    const product = (await h.odoo.db.call('product.product', 'create', [
      { product_tmpl_id: template, standard_price: 22, default_code: `DEMO-${template}` },
    ])) as number;
    const uid = h.catalog.salespersonUid;
    const heldOrderId = (await h.odoo.db.call(
      'sale.order',
      'create',
      [
        {
          partner_id: h.catalog.customers.find((c) => c.name.startsWith('Nordhafen'))!.id,
          user_id: uid,
          order_line: [[0, 0, { product_id: product, product_uom_qty: 4 }]],
        },
      ],
      {},
      uid,
    )) as number;
    await h.odoo.db.call('sale.order', 'action_confirm', [[heldOrderId]], {}, uid);
    const heldOrder = { id: heldOrderId };
    const held = await h.runFor('order-release', heldOrder.id);
    assert.equal(held.status, 'waiting', h.path(held).join(' > '));

    // Someone switches Odoo's automation rules off; the poller is two hours away.
    const rules = await h.rpc<number[]>('base.automation', 'search', [[]]);
    assert.ok(rules.length > 0);
    await h.rpc('base.automation', 'write', [rules, { active: false }]);
    // 4. Stock arrives for the held order, and its delivery is reserved: nobody is told.
    await h.odoo.db.call('stock.quant', 'create', [
      { product_id: product, location_id: WH_STOCK, quantity: 10 },
    ]);
    const heldDelivery = await deliveryOf(heldOrder.id);
    await h.rpc('stock.picking', 'action_assign', [[heldDelivery.id]]);
    // 5. An order confirmed that Crossdock never hears of.
    const unheard = await h.placeOrder('Rheinland', [['LED Desk Lamp', 2]]);
    assert.equal(
      await h.crossdock.store.db
        .selectFrom('runs')
        .select('id')
        .where('workflow_id', '=', 'order-release')
        .where('concurrency_key', '=', `sale.order:${unheard.id}`)
        .executeTakeFirst(),
      undefined,
      'the unheard order has no release run before the sweep',
    );

    const first = await sweep();
    const found = first.sweep.findings.map((f) => [f.type, f.model, f.id, f.status, f.action]);
    assert.deepEqual(
      found.sort(),
      [
        [
          'delivery-not-dispatched',
          'stock.picking',
          freightDelivery.id,
          'new',
          'case opened (dispatch)',
        ],
        ['delivery-not-invoiced', 'sale.order', shipped.id, 'new', 'case opened (finance)'],
        ['held-order-ready', 'stock.picking', heldDelivery.id, 'new', 'checked again'],
        ['receipt-overdue', 'purchase.order', purchase, 'new', 'case opened (purchasing)'],
        ['unreleased-order', 'sale.order', unheard.id, 'new', 'release requested'],
      ].sort(),
      JSON.stringify(first.sweep.findings.map((f) => [f.type, f.id, f.name, f.detail])),
    );
    assert.equal(first.sweep.new, 5);
    assert.equal(first.sweep.known, 0);

    // Fixed: the unheard order is released and shipped, the held order checked again and released.
    const released = await waitForRun(
      h.crossdock.engine,
      first.sweep.findings.find((f) => f.type === 'unreleased-order')!.runIds[0]!,
      ['completed'],
      60_000,
    );
    assert.ok(h.path(released).includes('released'), h.path(released).join(' > '));
    const recheck = await waitForRun(h.crossdock.engine, held.id, ['completed'], 60_000);
    assert.ok(h.path(recheck).includes('released'), h.path(recheck).join(' > '));
    // Cased: each owned by its team, with the finding and the Odoo record.
    for (const [model, id, team, code] of [
      ['stock.picking', freightDelivery.id, 'dispatch', 'RECONCILE_NOT_DISPATCHED'],
      ['sale.order', shipped.id, 'finance', 'RECONCILE_NOT_INVOICED'],
      ['purchase.order', purchase, 'purchasing', 'RECONCILE_RECEIPT_OVERDUE'],
    ] as const) {
      const cases = (await casesOf(model, id)).filter((c) => c.errorCode === code);
      assert.equal(cases.length, 1, `one ${code} case for ${model} ${id}`);
      assert.equal(cases[0]!.owner.team, team);
    }

    // The metric counts each finding once, by type.
    const metrics = await eventually('the findings metric', async () => {
      const text = await (
        await fetch(`${h.instance.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
      ).text();
      return text.includes('crossdock_reconcile_findings') && text;
    });
    for (const type of [
      'unreleased-order',
      'held-order-ready',
      'delivery-not-dispatched',
      'receipt-overdue',
      'delivery-not-invoiced',
    ])
      assert.match(metrics, new RegExp(`crossdock_reconcile_findings\\{type="${type}"\\} 1\\b`));

    // The second sweep, from the command line through the server: nothing new, three known.
    const cli = await runCrossdock(
      ['reconcile', '--since', since, '--settle', '0m', '--api', h.instance.url!],
      { CROSSDOCK_TOKEN: token },
      180_000,
    );
    assert.equal(cli.status, 0, cli.stderr + cli.stdout);
    const lines = cli.stdout.trim().split('\n');
    assert.match(lines[0]!, /: 0 new finding\(s\), 3 already known$/);
    assert.match(lines[1]!, /^finding\s+odoo record\s+status\s+action\s+detail$/);
    const rows = lines.slice(2).map((l) => l.split(/\s{2,}/));
    assert.deepEqual(
      rows.map((r) => r.slice(0, 3)).sort(),
      [
        [
          'delivery-not-dispatched',
          `stock.picking ${freightDelivery.id} ${freightDelivery.name}`,
          'known',
        ],
        ['delivery-not-invoiced', `sale.order ${shipped.id} ${shipped.name}`, 'known'],
        ['receipt-overdue', `purchase.order ${purchase} ${await poName(purchase)}`, 'known'],
      ].sort(),
    );
    for (const r of rows) {
      const team = {
        'delivery-not-dispatched': 'dispatch',
        'delivery-not-invoiced': 'finance',
        'receipt-overdue': 'purchasing',
      }[r[0]!];
      assert.match(r[3]!, new RegExp(`^case opened \\(${team}\\) #\\d+$`), r.join(' | '));
    }
    assert.equal(
      (await casesOf('purchase.order', purchase)).length,
      1,
      'the second sweep opened no second case',
    );
  });

  const poName = async (id: number) =>
    (await h.rpc<{ name: string }[]>('purchase.order', 'read', [[id], ['name']]))[0]!.name;
});
