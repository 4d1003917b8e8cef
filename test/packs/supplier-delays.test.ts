import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RunDetail } from '../../src/engine/index.ts';
import type { CaseDetail } from '../../src/exceptions/index.ts';
import { waitForRun } from '../support/engine.ts';
import { eventually, HOUR, JumpingClock, packHarness, type PackHarness } from './support.ts';

/**
 * The supplier-delay pack end to end on the simulators: purchase orders confirmed in Odoo with
 * their receipts, sale orders waiting for the same products, a vendor's new date written on a
 * purchase order line (Odoo 17 moves only the receipt's deadline) or a delay reported as an
 * event, and what purchasing and customer service then see: the case with the affected sale
 * orders, the buyer's activity and the notes in Odoo, the e-mails queued, the escalation when
 * the buyer's SLA passes on the test clock, and the case closing when the receipt is done.
 */
const DAY = 24 * HOUR;

interface Affected {
  name: string;
  customer_class: string;
  days_late: number;
}

describe('supplier-delay pack, end to end', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  let vendor = 0;
  before(async () => {
    h = await packHarness({ clock });
    vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Holzwerk Süd GmbH', is_company: true, email: 'orders@holzwerk.test' },
    ])) as number;
  });
  after(() => h.close());

  /** An Odoo datetime ("YYYY-MM-DD HH:MM:SS", UTC) `days` from now on the test clock. */
  const odooDate = (days: number) =>
    new Date(clock.now().getTime() + days * DAY).toISOString().slice(0, 19).replace('T', ' ');

  /** A stockable product nobody has in stock, so its sale orders wait for the purchase. */
  async function newProduct(name: string): Promise<number> {
    const template = (await h.odoo.db.call('product.template', 'create', [
      { name, type: 'product', list_price: 300, standard_price: 180, weight: 8 },
    ])) as number;
    return (await h.odoo.db.call('product.product', 'create', [
      { product_tmpl_id: template, standard_price: 180, default_code: `SD-${template}` },
    ])) as number;
  }

  /** A sale order confirmed in Odoo for `qty` of the product, promised `promisedInDays` from now. */
  async function saleOrder(
    customerClass: 'A' | 'B',
    product: number,
    qty: number,
    promisedInDays: number,
  ): Promise<{ id: number; name: string }> {
    const customer = h.catalog.customers.find(
      (c) => c.customerClass === customerClass && !c.blocked,
    )!;
    const uid = h.catalog.salespersonUid;
    const id = (await h.odoo.db.call(
      'sale.order',
      'create',
      [
        {
          partner_id: customer.id,
          user_id: uid,
          commitment_date: odooDate(promisedInDays),
          order_line: [[0, 0, { product_id: product, product_uom_qty: qty }]],
        },
      ],
      {},
      uid,
    )) as number;
    await h.odoo.db.call('sale.order', 'action_confirm', [[id]], {}, uid);
    const [row] = h.odoo.db.searchRead('sale.order', [['id', '=', id]], ['name']);
    return { id, name: String(row!.name) };
  }

  /** A purchase order confirmed by the buyer over RPC; Odoo creates its receipt. */
  async function purchase(product: number, qty: number, plannedInDays: number) {
    const order = await h.rpc<number>('purchase.order', 'create', [
      {
        partner_id: vendor,
        order_line: [
          [
            0,
            0,
            {
              product_id: product,
              product_qty: qty,
              price_unit: 180,
              date_planned: odooDate(plannedInDays),
            },
          ],
        ],
      },
    ]);
    assert.equal(await h.rpc('purchase.order', 'button_confirm', [[order]]), true);
    const [po] = await h.rpc<{ name: string; order_line: number[]; picking_ids: number[] }[]>(
      'purchase.order',
      'read',
      [[order]],
      { fields: ['name', 'order_line', 'picking_ids'] },
    );
    return { id: order, name: po!.name, line: po!.order_line[0]!, receipt: po!.picking_ids[0]! };
  }

  /** The vendor's new date, written on the line as a buyer does in Odoo. */
  const vendorDate = (line: number, days: number) =>
    h.rpc('purchase.order.line', 'write', [[line], { date_planned: odooDate(days) }]);

  async function fireScan(): Promise<RunDetail> {
    await h.crossdock.engine.scheduler.tick();
    const slot = new Date(Math.floor(clock.now().getTime() / HOUR) * HOUR).toISOString();
    const id = await eventually(`a supplier-delay scan for slot ${slot}`, async () => {
      const rows = await sql<{
        id: string;
      }>`SELECT id::text AS id FROM runs WHERE workflow_id = 'supplier-delay-scan' AND input->>'slot' = ${slot}`.execute(
        h.crossdock.store.db,
      );
      return rows.rows[0]?.id;
    });
    const scan = await waitForRun(h.crossdock.engine, id, ['completed', 'failed'], 60_000);
    assert.equal(scan.status, 'completed', JSON.stringify(scan.error));
    return scan;
  }

  /** The supplier-delay runs of a receipt so far. */
  async function delayRuns(receipt: number): Promise<string[]> {
    const rows = await sql<{
      id: string;
    }>`SELECT id::text AS id FROM runs WHERE workflow_id = 'supplier-delay' AND input->>'picking_id' = ${String(receipt)} ORDER BY runs.id`.execute(
      h.crossdock.store.db,
    );
    return rows.rows.map((r) => r.id);
  }

  /** The receipt's one supplier-delay run once it waits (or ends), after `steps` steps of it completed. */
  async function delayRun(receipt: number, minCompleted = 1): Promise<RunDetail> {
    return eventually(`receipt ${receipt}'s supplier-delay run waits`, async () => {
      const [id] = await delayRuns(receipt);
      if (id === undefined) return undefined;
      const run = await waitForRun(
        h.crossdock.engine,
        id,
        ['waiting', 'completed', 'failed'],
        60_000,
      );
      if (run.status === 'failed') assert.fail(JSON.stringify(run.error));
      return h.path(run).length >= minCompleted ? run : undefined;
    });
  }

  async function casesOf(receipt: number): Promise<CaseDetail[]> {
    const { cases } = await h.crossdock.services.exceptions.list({ workflowId: 'supplier-delay' });
    const mine = cases.filter(
      (c) => c.subject?.model === 'stock.picking' && Number(c.subject.id) === receipt,
    );
    return Promise.all(mine.map((c) => h.crossdock.services.exceptions.show(c.id)));
  }

  const activities = (model: string, id: number) =>
    h.rpc<{ summary: string; user_id: [number, string] }[]>(
      'mail.activity',
      'search_read',
      [
        [
          ['res_model', '=', model],
          ['res_id', '=', id],
        ],
      ],
      { fields: ['summary', 'user_id'] },
    );

  async function mails(): Promise<{ recipients: string[]; subject: string }[]> {
    const rows = await sql<{
      recipients: string[];
      subject: string;
    }>`SELECT recipients, subject FROM notifications ORDER BY id`.execute(h.crossdock.store.db);
    return rows.rows;
  }

  interface SupplierKpis {
    scannedAt: string | null;
    openReceipts: number;
    lateReceipts: number;
    onTimeRate: number | null;
    delaysFound: number;
    delaysResolved: number;
  }

  /** The Overview's supplier card, as the dashboard reads it: GET /api/v1/kpis with a person's token. */
  async function supplierKpis(): Promise<SupplierKpis> {
    const bea = h.approver('bea.buyer@demo.crossdock.test');
    const { token } = await h.crossdock.services.tokens.create(
      { id: bea.userId, role: 'approver' },
      { name: `kpis ${Date.now()}` },
      null,
    );
    const response = await fetch(`${h.instance.url}/api/v1/kpis?last=24h`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { supplier: SupplierKpis }).supplier;
  }

  /** What the Odoo source emits for a watched stock.picking in state done. */
  const pickingDone = (picking: number) =>
    h.crossdock.engine.accept({
      source: 'odoo',
      type: 'stock.picking.done',
      key: `stock.picking.done:stock.picking:${picking}`,
      payload: {
        model: 'stock.picking',
        id: picking,
        write_date: odooDate(0),
        record: {},
        via: 'webhook',
      },
    });

  test("A vendor's later date on a line gives a case listing the affected sale orders, a buyer activity, and an escalation after the SLA on the test clock; the case resolves when the receipt is validated", async () => {
    const product = await newProduct('Oak Desk Top 160');
    const keyOrder = await saleOrder('A', product, 4, 3);
    const laterOrder = await saleOrder('B', product, 2, 30);
    const po = await purchase(product, 10, 2);
    const onTime = await purchase(product, 5, 20);
    await vendorDate(po.line, 8);

    // The scan's slot of this hour ran when Crossdock started: the next hour's finds the delay.
    clock.advance(HOUR);
    await fireScan();
    const waiting = await delayRun(po.receipt);
    assert.equal(waiting.status, 'waiting', h.path(waiting).join(' > '));
    assert.deepEqual(await delayRuns(onTime.receipt), [], 'the receipt still on time has no case');
    const { scannedAt, ...card } = await supplierKpis();
    assert.ok(scannedAt !== null, 'the card names the scan it reads');
    assert.deepEqual(
      card,
      { openReceipts: 2, lateReceipts: 1, onTimeRate: 0.5, delaysFound: 1, delaysResolved: 0 },
      'the Overview: one of the two open receipts late at the last scan',
    );

    const [opened, ...others] = await casesOf(po.receipt);
    assert.ok(opened, 'a case for the receipt');
    assert.deepEqual(others, [], 'one case');
    assert.equal(opened.errorCode, 'SUPPLIER_DELAY');
    assert.equal(opened.owner.team, 'purchasing');
    const affected = opened.details!.affected_orders as Affected[];
    assert.deepEqual(
      affected.map((o) => [o.name, o.customer_class]),
      [[keyOrder.name, 'A']],
      `only the order promised before the new date: ${laterOrder.name} is promised after it`,
    );
    assert.ok(
      affected[0]!.days_late >= 4.9 && affected[0]!.days_late <= 5.1,
      String(affected[0]!.days_late),
    );
    // A key account's order 3 days or more late: critical, with a 4-hour SLA for the buyer.
    assert.equal(opened.severity, 'critical');
    assert.match(opened.title, new RegExp(`late: expected .*, 1 sale order\\(s\\) affected`));

    const buyer = await activities('purchase.order', po.id);
    assert.equal(buyer.length, 1, JSON.stringify(buyer));
    assert.match(buyer[0]!.summary, /^Supplier delay: WH\/IN\/\d+ now expected/);
    assert.equal(buyer[0]!.user_id[0], 2, 'the buyer (no buyer on the order: the pack setting)');
    const poNotes = await h.chatter('purchase.order', po.id);
    assert.ok(
      poNotes.some((n) => n.includes('is late') && n.includes(keyOrder.name)),
      poNotes.join(' | '),
    );
    const orderNotes = await h.chatter('sale.order', keyOrder.id);
    assert.ok(
      orderNotes.some((n) => n.includes('will arrive late')),
      orderNotes.join(' | '),
    );
    assert.ok(
      !(await h.chatter('sale.order', laterOrder.id)).some((n) => n.includes('will arrive late')),
    );
    const queued = await mails();
    const keyCustomer = h.catalog.customers.find((c) => c.customerClass === 'A' && !c.blocked)!;
    assert.ok(
      queued.some(
        (m) =>
          m.recipients.includes('customer-service@example.com') &&
          m.subject === `Order ${keyOrder.name} for ${keyCustomer.name} will be late`,
      ),
      JSON.stringify(queued),
    );
    assert.ok(
      queued.some((m) => m.subject === `Your order ${keyOrder.name} will be later than planned`),
      'a key account is told by policy',
    );

    // The buyer does nothing: past the 4-hour SLA the procurement manager gets it.
    clock.advance(4 * HOUR + 60_000);
    h.wake();
    await eventually('the escalation', async () => {
      const run = await waitForRun(
        h.crossdock.engine,
        waiting.id,
        ['waiting', 'completed', 'failed'],
        60_000,
      );
      return h.path(run).includes('escalate') && h.path(run).includes('tell-manager')
        ? run
        : undefined;
    });
    const afterSla = await activities('purchase.order', po.id);
    assert.ok(
      afterSla.some((a) => a.summary.startsWith('Escalated supplier delay')),
      JSON.stringify(afterSla),
    );
    const [escalated] = await casesOf(po.receipt);
    assert.match(escalated!.title, /^Escalated: /);
    assert.ok((await mails()).some((m) => m.recipients.includes('procurement@example.com')));

    // The goods arrive: the receipt is validated in Odoo, and the case closes itself.
    assert.equal(await h.rpc('stock.picking', 'button_validate', [[po.receipt]]), true);
    await pickingDone(po.receipt);
    const done = await waitForRun(h.crossdock.engine, waiting.id, ['completed', 'failed'], 60_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const [resolved] = await casesOf(po.receipt);
    assert.equal(resolved!.status, 'resolved');
    assert.equal(resolved!.reasonCode, 'fixed_in_source');
    assert.equal((await supplierKpis()).delaysResolved, 1);
    assert.ok(
      (await h.chatter('purchase.order', po.id)).some((n) =>
        n.includes('closed the supplier-delay case'),
      ),
    );
  });

  test('the scan twice and a reported delay of the same date make one case, one buyer activity and one round of notes', async () => {
    const product = await newProduct('Walnut Shelf 80');
    const order = await saleOrder('B', product, 3, 4);
    const po = await purchase(product, 6, 2);
    const newDate = odooDate(6);
    await h.rpc('purchase.order.line', 'write', [[po.line], { date_planned: newDate }]);

    clock.advance(HOUR);
    await fireScan();
    await delayRun(po.receipt);
    clock.advance(HOUR);
    const second = await fireScan();
    assert.ok(h.path(second).includes('emit'), 'the second scan finds the receipt late too');
    const reported = await h.crossdock.engine.accept({
      source: 'manual',
      type: 'supplier.delay.reported',
      key: `vendor-mail-${po.name}`,
      payload: {
        purchase_order: po.name,
        product_id: product,
        new_date: newDate,
        reason: 'vendor e-mail',
      },
    });
    const report = await waitForRun(
      h.crossdock.engine,
      reported.runIds[0]!,
      ['completed', 'failed'],
      60_000,
    );
    assert.equal(report.status, 'completed', JSON.stringify(report.error));
    // The gate told the receipt's run to look again; it looked, found nothing new, and waits.
    await eventually('the run looked again', async () => {
      const [id] = await delayRuns(po.receipt);
      const run = await waitForRun(h.crossdock.engine, id!, ['waiting', 'failed'], 60_000);
      return run.steps.filter((s) => s.stepId === 'update-case' && s.status === 'completed')
        .length >= 1
        ? run
        : undefined;
    });

    assert.equal((await delayRuns(po.receipt)).length, 1, 'one supplier-delay run');
    const cases = await casesOf(po.receipt);
    assert.equal(cases.length, 1, 'one case');
    assert.deepEqual(
      (cases[0]!.details!.affected_orders as Affected[]).map((o) => o.name),
      [order.name],
    );
    const buyer = (await activities('purchase.order', po.id)).filter((a) =>
      a.summary.startsWith('Supplier delay'),
    );
    assert.equal(buyer.length, 1, JSON.stringify(buyer));
    const lateNotes = (await h.chatter('purchase.order', po.id)).filter((n) =>
      n.includes('is late'),
    );
    assert.equal(lateNotes.length, 1, lateNotes.join(' | '));
    const orderNotes = (await h.chatter('sale.order', order.id)).filter((n) =>
      n.includes('will arrive late'),
    );
    assert.equal(orderNotes.length, 1);
    const queued = await mails();
    assert.equal(
      queued.filter(
        (m) =>
          m.subject ===
          `Order ${order.name} for ${cases[0]!.details!.affected_orders && (cases[0]!.details!.affected_orders as { customer: string }[])[0]!.customer} will be late`,
      ).length,
      1,
      'customer service told once',
    );
    assert.ok(
      !queued.some((m) => m.subject === `Your order ${order.name} will be later than planned`),
      'a 2-day delay for a class B customer: customer service decides, the customer is not e-mailed',
    );
  });

  test('a delay reported as an event writes the new date in Odoo and opens the case; a further delay updates the same case', async () => {
    const product = await newProduct('Beech Cabinet Door');
    const order = await saleOrder('B', product, 5, 5);
    const po = await purchase(product, 12, 3);
    const report = (days: number, key: string) =>
      h.crossdock.engine.accept({
        source: 'vendor-portal',
        type: 'supplier.delay.reported',
        key,
        payload: {
          purchase_order: po.name,
          product_id: product,
          new_date: odooDate(days).slice(0, 10),
          reason: 'kiln breakdown',
        },
      });
    const first = await report(9, 'portal-1');
    const ran = await waitForRun(
      h.crossdock.engine,
      first.runIds[0]!,
      ['completed', 'failed'],
      60_000,
    );
    assert.equal(ran.status, 'completed', JSON.stringify(ran.error));
    const [line] = await h.rpc<{ date_planned: string }[]>(
      'purchase.order.line',
      'read',
      [[po.line]],
      {
        fields: ['date_planned'],
      },
    );
    assert.equal(line!.date_planned, `${odooDate(9).slice(0, 10)} 12:00:00`);
    const [receipt] = await h.rpc<{ scheduled_date: string; date_deadline: string }[]>(
      'stock.picking',
      'read',
      [[po.receipt]],
      { fields: ['scheduled_date', 'date_deadline'] },
    );
    assert.equal(receipt!.date_deadline, line!.date_planned, 'the deadline follows the line');
    assert.notEqual(receipt!.scheduled_date, line!.date_planned, 'the planned date does not');

    await delayRun(po.receipt);
    const [opened] = await casesOf(po.receipt);
    assert.ok(opened, 'a case for the receipt');
    assert.deepEqual(
      (opened.details!.affected_orders as Affected[]).map((o) => o.name),
      [order.name],
    );
    assert.equal(opened.details!.expected, line!.date_planned);
    assert.ok(
      (await h.chatter('purchase.order', po.id)).some((n) =>
        n.includes('Delay reported by vendor-portal (kiln breakdown)'),
      ),
    );

    const further = await report(14, 'portal-2');
    await waitForRun(h.crossdock.engine, further.runIds[0]!, ['completed', 'failed'], 60_000);
    const updated = await eventually('the case shows the further delay', async () => {
      const [c] = await casesOf(po.receipt);
      return c && c.details!.expected === `${odooDate(14).slice(0, 10)} 12:00:00` ? c : undefined;
    });
    assert.equal(updated.id, opened.id, 'the same case');
    assert.equal((await casesOf(po.receipt)).length, 1);
    assert.ok(
      updated.history.some((e) => e.action === 'updated'),
      JSON.stringify(updated.history),
    );
    await eventually('a second note on the order for the further delay', async () => {
      const notes = (await h.chatter('purchase.order', po.id)).filter((n) => n.includes('is late'));
      return notes.length === 2;
    });
  });

  test('a late receipt no sale order waits for still gets its case and a note on the purchase order saying nothing is affected', async () => {
    const product = await newProduct('Spare Shelf Bracket');
    const po = await purchase(product, 20, 2);
    await h.crossdock.engine.accept({
      source: 'vendor-portal',
      type: 'supplier.delay.reported',
      key: 'portal-no-demand',
      payload: {
        purchase_order: po.name,
        product_id: product,
        new_date: odooDate(6).slice(0, 10),
        reason: 'machine down',
      },
    });
    const run = await delayRun(po.receipt);
    assert.notEqual(run.status, 'failed', JSON.stringify(run.error));
    const [opened] = await casesOf(po.receipt);
    assert.ok(opened, 'a case for the receipt');
    assert.deepEqual(opened.details!.affected_orders, []);
    await eventually('the note on the purchase order', async () =>
      (await h.chatter('purchase.order', po.id)).find((n) =>
        n.includes('0 sale order(s) affected, 0.00: no open sale order is affected'),
      ),
    );
  });

  test('a case a person closes is left closed: at the SLA the run looks again, stops, and escalates nothing', async () => {
    const product = await newProduct('Ash Drawer Front');
    await saleOrder('A', product, 2, 2);
    const po = await purchase(product, 8, 1);
    await vendorDate(po.line, 6);
    clock.advance(HOUR);
    await fireScan();
    const waiting = await delayRun(po.receipt);
    const [opened] = await casesOf(po.receipt);
    assert.ok(opened, 'a case for the receipt');
    await h.crossdock.services.exceptions.resolve(
      opened.id,
      'handled_manually',
      'other source found',
      {
        actor: 'user:1 ops@demo.crossdock.test',
      },
    );
    clock.advance(8 * HOUR);
    h.wake();
    const ended = await waitForRun(h.crossdock.engine, waiting.id, ['completed', 'failed'], 60_000);
    assert.equal(ended.status, 'completed', JSON.stringify(ended.error));
    assert.ok(h.path(ended).includes('closed-by-person'), h.path(ended).join(' > '));
    assert.ok(!h.path(ended).includes('escalate'));
    const [closed] = await casesOf(po.receipt);
    assert.deepEqual([closed!.status, closed!.reasonCode], ['resolved', 'handled_manually']);
    assert.ok(
      !(await activities('purchase.order', po.id)).some((a) => a.summary.startsWith('Escalated')),
    );
  });
});
