import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RunDetail } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { JumpingClock, packHarness, type PackHarness } from './support.ts';

/**
 * The vendor-bills pack end to end on the simulators: purchase orders confirmed and received
 * in Odoo, their bills made by Odoo (action_create_invoice) and edited as the vendor billed
 * them, then matched; what accounts payable then sees in Odoo over RPC (the bill's state,
 * name and chatter, the order's billing status) and in Crossdock (cases, approvals).
 */
const MINUTE = 60_000;
const BILL_DATE = '2026-12-01';

interface BillRow {
  name: string;
  state: string;
  invoice_date: string | false;
  amount_total: number;
}

describe('vendor-bills pack, end to end', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  let vendor = 0;
  before(async () => {
    h = await packHarness({ clock });
    vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Hanse Büromöbel GmbH', is_company: true },
    ])) as number;
  });
  after(() => h.close());

  const productId = (name: string) =>
    h.catalog.products.find((p) => p.name.startsWith(name))?.id ??
    assert.fail(`no demo product ${name}`);

  /** A purchase order confirmed and fully received in Odoo, and the draft bill Odoo makes from it. */
  async function receivedAndBilled(
    lines: [product: string, qty: number, price: number][],
  ): Promise<{ order: number; bill: number; billLines: number[] }> {
    const order = (await h.odoo.db.call('purchase.order', 'create', [
      {
        partner_id: vendor,
        partner_ref: `HB-${Date.now()}`,
        order_line: lines.map(([name, qty, price]) => [
          0,
          0,
          { product_id: productId(name), product_qty: qty, price_unit: price },
        ]),
      },
    ])) as number;
    await h.odoo.db.call('purchase.order', 'button_confirm', [[order]]);
    const [receipt] = h.odoo.db.searchRead('stock.picking', [['purchase_id', '=', order]], ['id']);
    assert.equal(await h.odoo.db.call('stock.picking', 'button_validate', [[receipt!.id]]), true);
    const action = (await h.odoo.db.call('purchase.order', 'action_create_invoice', [[order]])) as {
      res_id: number;
    };
    const billLines = h.odoo.db
      .searchRead(
        'account.move.line',
        [
          ['move_id', '=', action.res_id],
          ['display_type', '=', 'product'],
        ],
        ['id'],
      )
      .map((row) => Number(row.id));
    return { order, bill: action.res_id, billLines };
  }

  /** Enters the vendor's bill as accounts payable does on the draft: its number, its date, what it billed. */
  async function billAs(bill: number, edits: [line: number, values: Record<string, number>][]) {
    await h.odoo.db.call('account.move', 'write', [
      [bill],
      {
        ref: `HB-INV-${bill}`,
        invoice_date: BILL_DATE,
        ...(edits.length > 0
          ? { invoice_line_ids: edits.map(([line, values]) => [1, line, values]) }
          : {}),
      },
    ]);
  }

  async function match(bill: number, key: string): Promise<RunDetail> {
    const accepted = await h.crossdock.engine.accept({
      source: 'manual',
      type: 'vendor-bill.received',
      key,
      payload: { bill_id: bill },
    });
    assert.equal(accepted.runIds.length, 1, 'one vendor-bill-match run');
    return settled(accepted.runIds[0]!);
  }

  const settled = (runId: string, statuses = ['completed', 'failed', 'waiting']) =>
    waitForRun(h.crossdock.engine, runId, statuses, 60_000);

  async function readBill(bill: number): Promise<BillRow> {
    const [row] = await h.rpc<BillRow[]>('account.move', 'read', [[bill]], {
      fields: ['name', 'state', 'invoice_date', 'amount_total'],
    });
    return row!;
  }

  const postCalls = (bill: number) =>
    h.odoo.calls.count({
      model: 'account.move',
      method: 'action_post',
      outcome: 'ok',
      where: (entry) => JSON.stringify((entry.args as unknown[])[0]) === JSON.stringify([bill]),
    });

  /** The summaries of the open activities on a bill. */
  async function activitiesOn(bill: number): Promise<string[]> {
    const activities = await h.rpc<{ summary: string }[]>(
      'mail.activity',
      'search_read',
      [
        [
          ['res_model', '=', 'account.move'],
          ['res_id', '=', bill],
        ],
      ],
      { fields: ['summary'] },
    );
    return activities.map((a) => a.summary);
  }

  async function openCaseFor(bill: number) {
    const { cases } = await h.crossdock.services.exceptions.list({
      status: 'open',
      workflowId: 'vendor-bill-match',
    });
    return cases.find(
      (c) => c.subject?.model === 'account.move' && String(c.subject.id) === String(bill),
    );
  }

  test('within tolerance: the bill is posted with its bill date, and the order is fully billed', async () => {
    const { order, bill, billLines } = await receivedAndBilled([['Archive Box', 10, 50]]);
    // 50.50 against 50.00 ordered: 1 % and 5.00 in value, inside 2 % and 50.
    await billAs(bill, [[billLines[0]!, { price_unit: 50.5 }]]);
    const run = await match(bill, `bill:${bill}:first`);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('post'), h.path(run).join(' > '));
    const posted = await readBill(bill);
    assert.equal(posted.state, 'posted');
    assert.match(posted.name, /^BILL\/\d{4}\/\d{2}\/\d{4}$/);
    assert.equal(posted.invoice_date, BILL_DATE, "the vendor's bill date");
    assert.equal(posted.amount_total, 580.75, '10 x 50.50 and 15 % tax: what the vendor billed');
    const [po] = await h.rpc<{ invoice_status: string; invoice_ids: number[] }[]>(
      'purchase.order',
      'read',
      [[order]],
      { fields: ['invoice_status', 'invoice_ids'] },
    );
    assert.deepEqual(po, { id: order, invoice_status: 'invoiced', invoice_ids: [bill] });
    const notes = await h.chatter('account.move', bill);
    assert.ok(
      notes.some((n) =>
        n.startsWith('Crossdock posted this bill: matched with the purchase order'),
      ),
      notes.join(' | '),
    );
    assert.equal(await openCaseFor(bill), undefined, 'no case for a matched bill');
  });

  test('a bill matched twice at once is posted once', async () => {
    const { bill } = await receivedAndBilled([['Archive Box', 4, 50]]);
    await billAs(bill, []);
    // Two requests for the same bill at once, with different keys: the scan's, and what an
    // Odoo watch on account.move sends (the record's id, not bill_id; docs/odoo-setup.md).
    const [{ write_date }] = h.odoo.db.searchRead(
      'account.move',
      [['id', '=', bill]],
      ['write_date'],
    ) as [{ write_date: string }];
    const accepted = await Promise.all([
      h.crossdock.engine.accept({
        source: 'crossdock',
        type: 'vendor-bill.received',
        key: `vendor-bill:${bill}:${write_date}`,
        payload: { bill_id: bill, via: 'scan' },
      }),
      h.crossdock.engine.accept({
        source: 'odoo',
        type: 'vendor-bill.received',
        key: `vendor-bill.received:account.move:${bill}:${write_date}`,
        payload: { model: 'account.move', id: bill, write_date, record: {}, via: 'webhook' },
      }),
    ]);
    const runs = await Promise.all(
      accepted.map((a) => settled(a.runIds[0]!, ['completed', 'failed'])),
    );
    assert.ok(
      runs.every((r) => r.status === 'completed'),
      JSON.stringify(runs.map((r) => r.error)),
    );
    const paths = runs.map((r) => h.path(r));
    assert.equal(paths.filter((p) => p.includes('post')).length, 1, JSON.stringify(paths));
    assert.equal(paths.filter((p) => p.includes('not-draft')).length, 1, JSON.stringify(paths));
    const name = (await readBill(bill)).name;
    assert.equal(postCalls(bill), 1, 'action_post reached Odoo once');
    // And once more later, from a person: the bill is posted, so nothing is done.
    const again = await match(bill, `bill:${bill}:manual`);
    assert.ok(h.path(again).includes('not-draft'), h.path(again).join(' > '));
    assert.equal((await readBill(bill)).name, name, 'same number: not posted again');
    assert.equal(postCalls(bill), 1);
    const notes = await h.chatter('account.move', bill);
    assert.equal(notes.filter((n) => n.startsWith('Crossdock posted this bill')).length, 1);
  });

  test('a bill with no line on a purchase order is held for accounts payable, with no approval', async () => {
    const bill = (await h.odoo.db.call('account.move', 'create', [
      {
        move_type: 'in_invoice',
        partner_id: vendor,
        ref: 'HB-SERVICE-7',
        invoice_date: BILL_DATE,
        invoice_origin: 'phone order',
        line_ids: [
          [
            0,
            0,
            { display_type: 'product', name: 'Assembly service', quantity: 1, price_unit: 300 },
          ],
        ],
      },
    ])) as number;
    const run = await match(bill, `bill:${bill}:no-order`);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('hold-case'), h.path(run).join(' > '));
    assert.ok(!h.path(run).includes('approve'));
    const held = await openCaseFor(bill);
    assert.ok(held, 'a case on the bill');
    assert.match(held.title, /not matched: no line of the bill is on a purchase order/);
    assert.equal(held.owner.team, 'accounts-payable');
    assert.equal((await readBill(bill)).state, 'draft');
    assert.deepEqual(await activitiesOn(bill), [`Vendor bill variance: case ${held.id}`]);
  });

  test('a price above tolerance: a case for accounts payable lists the line, and the bill is posted after approval', async () => {
    const { bill, billLines } = await receivedAndBilled([
      ['Archive Box', 10, 120.5],
      ['Laptop Docking Station', 5, 95.5],
    ]);
    await billAs(bill, [[billLines[0]!, { price_unit: 125 }]]);
    const waiting = await match(bill, `bill:${bill}:price`);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    assert.equal((await readBill(bill)).state, 'draft', 'not posted while the variance waits');
    const found = await openCaseFor(bill);
    assert.ok(found, 'a case on the bill');
    assert.equal(found.owner.team, 'accounts-payable');
    assert.match(found.title, /1 line\(s\) outside tolerance, variance 45\.00 USD/);
    const detail = await h.crossdock.services.exceptions.show(found.id);
    const mismatched = (
      detail.details as { mismatched_lines: { product: string; issues: string[] }[] }
    ).mismatched_lines;
    assert.equal(mismatched.length, 1, JSON.stringify(mismatched));
    assert.match(mismatched[0]!.product, /Archive Box/);
    assert.deepEqual(mismatched[0]!.issues, ['price 125.00 against 120.50 ordered (+3.73 %)']);
    const request = await h.pendingRequestFor(waiting.id);
    assert.equal(request.level, 'accounts-payable');
    assert.match(
      (await h.crossdock.services.approvals.show(request.id)).summary,
      /Accept the variance of 45\.00 USD on vendor bill/,
    );
    await h.crossdock.services.approvals.decide(
      request.id,
      h.approver('alex.payables@demo.crossdock.test'),
      'approve',
      'vendor raised the list price',
      'api',
    );
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const posted = await readBill(bill);
    assert.equal(posted.state, 'posted');
    assert.equal(posted.amount_total, 1986.63, 'the billed price is what is posted');
    assert.equal((await h.crossdock.services.exceptions.show(found.id)).status, 'resolved');
    assert.deepEqual(
      await activitiesOn(bill),
      [],
      'the variance activity is done: the bill is no longer held',
    );
    const notes = await h.chatter('account.move', bill);
    assert.ok(
      notes.some((n) =>
        n.startsWith(
          `Crossdock posted this bill after the variance was accepted (request ${request.id})`,
        ),
      ),
      notes.join(' | '),
    );
  });

  test('a rejected variance: the bill stays a draft, its case stays open, and it is not matched again', async () => {
    const { bill, billLines } = await receivedAndBilled([['Standing Desk Frame', 2, 380]]);
    await billAs(bill, [[billLines[0]!, { price_unit: 420 }]]);
    const waiting = await match(bill, `bill:${bill}:reject`);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    await h.crossdock.services.approvals.decide(
      request.id,
      h.approver('alex.payables@demo.crossdock.test'),
      'reject',
      'not the agreed price',
      'api',
    );
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.ok(!h.path(done).includes('post'), h.path(done).join(' > '));
    assert.equal((await readBill(bill)).state, 'draft');
    assert.equal(postCalls(bill), 0);
    const open = await openCaseFor(bill);
    assert.ok(open, 'the case stays open');
    const notes = await h.chatter('account.move', bill);
    assert.ok(
      notes.some((n) =>
        n.includes(`variance was rejected (not the agreed price). Case ${open.id} stays open`),
      ),
      notes.join(' | '),
    );
    const again = await match(bill, `bill:${bill}:again`);
    assert.ok(h.path(again).includes('already-held'), h.path(again).join(' > '));
    assert.equal((await readBill(bill)).state, 'draft');
  });

  test('a quantity billed above what was received is a mismatch, whatever its value', async () => {
    const { bill, billLines } = await receivedAndBilled([['Archive Box', 5, 9.5]]);
    // 6 billed, 5 received: 9.50 of variance, inside the value tolerance, outside the quantity one.
    await billAs(bill, [[billLines[0]!, { quantity: 6 }]]);
    const waiting = await match(bill, `bill:${bill}:quantity`);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const found = await openCaseFor(bill);
    assert.ok(found, 'a case on the bill');
    const detail = await h.crossdock.services.exceptions.show(found.id);
    const mismatched = (detail.details as { mismatched_lines: { issues: string[] }[] })
      .mismatched_lines;
    assert.deepEqual(
      mismatched.map((m) => m.issues),
      [['billed 6 against 5 received', 'billed 6 against 5 ordered']],
    );
    assert.equal((await readBill(bill)).state, 'draft');
    const [line] = await h.rpc<{ qty_to_invoice: number }[]>(
      'purchase.order.line',
      'search_read',
      [[['invoice_lines', 'in', [billLines[0]!]]]],
      { fields: ['qty_to_invoice'] },
    );
    assert.equal(line!.qty_to_invoice, -1, "Odoo's own sign of over-billing");
  });

  test('the scan asks once per entered bill, and the bills it finds are matched', async () => {
    const { bill } = await receivedAndBilled([['Archive Box', 3, 50]]);
    await billAs(bill, []);
    // Made from its order and not entered yet: a copy of the order, which is not matched.
    const { bill: copy } = await receivedAndBilled([['Archive Box', 2, 50]]);
    const early = await match(copy, `bill:${copy}:early`);
    assert.ok(h.path(early).includes('no-date'), h.path(early).join(' > '));
    const first = await fireScan();
    assert.equal(first.status, 'completed', JSON.stringify(first.error));
    const runs = await runsForBill(bill);
    assert.equal(runs.length, 1, 'one match for the new bill');
    const run = await settled(runs[0]!, ['completed', 'failed']);
    assert.ok(h.path(run).includes('post'), h.path(run).join(' > '));
    assert.equal((await readBill(bill)).state, 'posted');
    assert.equal((await runsForBill(copy)).length, 1, 'the bill not entered is not scanned');
    await fireScan();
    assert.equal((await runsForBill(bill)).length, 1, 'a posted bill is not scanned again');
    assert.equal((await readBill(copy)).state, 'draft');
  });

  async function runsForBill(bill: number): Promise<string[]> {
    const rows = await sql<{
      id: string;
    }>`SELECT id::text AS id FROM runs WHERE workflow_id = 'vendor-bill-match' AND input->>'bill_id' = ${String(bill)} ORDER BY runs.id`.execute(
      h.crossdock.store.db,
    );
    return rows.rows.map((r) => r.id);
  }

  /** Moves the clock to the next quarter hour, fires the scan's slot and waits for that scan (and its emits) to end. */
  async function fireScan(): Promise<RunDetail> {
    clock.advance(15 * MINUTE);
    await h.crossdock.engine.scheduler.tick();
    const quarter = 15 * MINUTE;
    const slot = new Date(Math.floor(clock.now().getTime() / quarter) * quarter).toISOString();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await sql<{
        id: string;
      }>`SELECT id::text AS id FROM runs WHERE workflow_id = 'vendor-bill-scan' AND input->>'slot' = ${slot}`.execute(
        h.crossdock.store.db,
      );
      if (rows.rows[0]) return settled(rows.rows[0].id, ['completed', 'failed']);
      if (Date.now() > deadline) assert.fail(`no scan run for slot ${slot}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
