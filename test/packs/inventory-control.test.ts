import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { eventually, HOUR, JumpingClock, packHarness, type PackHarness } from './support.ts';

/**
 * The inventory-control pack end to end: counts and scrap requests arrive as events (or
 * are found in Odoo by the scan), and each test reads the result back from Odoo over RPC
 * (the quant, the adjustment and scrap moves, the notes and activities on the product) and
 * from Crossdock's approvals.
 */
describe('inventory-control pack, end to end', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  const WH_STOCK = 8;
  const WENDY = 'wendy.warehouse@demo.crossdock.test';
  const FIONA = 'fiona.finance@demo.crossdock.test';
  const DORA = 'dora.director@demo.crossdock.test';
  before(async () => {
    h = await packHarness({ clock });
  });
  after(() => h.close());

  const product = (name: string) => {
    const found = h.catalog.products.find((p) => p.name.startsWith(name));
    assert.ok(found, `demo product ${name}`);
    return found;
  };
  type Quant = {
    id: number;
    quantity: number;
    inventory_quantity: number;
    inventory_quantity_set: boolean;
  };
  const quantOf = async (productId: number, location = WH_STOCK) => {
    const quants = await h.rpc<Quant[]>(
      'stock.quant',
      'search_read',
      [
        [
          ['product_id', '=', productId],
          ['location_id', '=', location],
        ],
      ],
      { fields: ['quantity', 'inventory_quantity', 'inventory_quantity_set'] },
    );
    assert.equal(quants.length, 1, `one quant of product ${productId}`);
    return quants[0]!;
  };
  const adjustments = (productId: number) =>
    h.rpc<{ product_uom_qty: number; location_dest_id: [number, string]; state: string }[]>(
      'stock.move',
      'search_read',
      [
        [
          ['product_id', '=', productId],
          ['is_inventory', '=', true],
        ],
      ],
      { fields: ['product_uom_qty', 'location_dest_id', 'state'] },
    );
  const templateOf = async (productId: number) =>
    (
      await h.rpc<{ product_tmpl_id: [number, string] }[]>(
        'product.product',
        'read',
        [[productId]],
        {
          fields: ['product_tmpl_id'],
        },
      )
    )[0]!.product_tmpl_id[0];
  const activitiesOn = async (productId: number) =>
    h.rpc<{ summary: string; user_id: [number, string] }[]>(
      'mail.activity',
      'search_read',
      [
        [
          ['res_model', '=', 'product.template'],
          ['res_id', '=', await templateOf(productId)],
        ],
      ],
      { fields: ['summary', 'user_id'] },
    );
  const notesOn = async (productId: number) =>
    h.chatter('product.template', await templateOf(productId));

  let sent = 0;
  const submit = async (type: string, payload: Record<string, unknown>, key?: string) => {
    const accepted = await h.crossdock.engine.accept({
      source: 'scanner',
      type,
      key: key ?? `${type}:${++sent}`,
      payload,
    });
    return accepted.runIds;
  };
  const settled = (runId: string, statuses = ['completed', 'failed', 'waiting']) =>
    waitForRun(h.crossdock.engine, runId, statuses, 60_000);
  const count = async (productId: number, counted: number, by?: string, key?: string) => {
    const [runId] = await submit(
      'inventory.count-submitted',
      {
        product_id: productId,
        location_id: WH_STOCK,
        counted_qty: counted,
        ...(by ? { counted_by: by } : {}),
      },
      key,
    );
    assert.ok(runId, 'the count starts a run');
    return settled(runId);
  };
  const decide = (
    requestId: string,
    email: string,
    decision: 'approve' | 'reject',
    reason?: string,
  ) =>
    h.crossdock.services.approvals.decide(
      requestId,
      h.approver(email),
      decision,
      reason ?? null,
      'api',
    );

  test('a count within tolerance is applied at once and noted on the product; the same count sent twice applies once', async () => {
    const box = product('Archive Box');
    const before = (await quantOf(box.id)).quantity;
    const run = await count(box.id, before - 4, undefined, 'count-box-1');
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('apply'), h.path(run).join(' '));
    assert.deepEqual(
      await submit(
        'inventory.count-submitted',
        { product_id: box.id, location_id: WH_STOCK, counted_qty: before - 4 },
        'count-box-1',
      ),
      [],
      'a duplicate event starts nothing',
    );
    // The same count again under another key (a scanner resending it): it matches the stock now.
    const again = await count(box.id, before - 4);
    assert.equal(again.status, 'completed', JSON.stringify(again.error));
    const decision = again.steps.find((s) => s.stepId === 'decision')?.output as
      { decision: { reason: string } } | undefined;
    assert.equal(decision?.decision.reason, 'the count matches the stock');

    const quant = await quantOf(box.id);
    assert.equal(quant.quantity, before - 4);
    assert.equal(quant.inventory_quantity_set, false, 'the count is closed in Odoo');
    const moves = await adjustments(box.id);
    assert.equal(moves.length, 1, 'one adjustment for two submissions');
    assert.equal(moves[0]!.product_uom_qty, 4);
    assert.equal(moves[0]!.location_dest_id[1], 'Virtual Locations/Inventory adjustment');
    const notes = (await notesOn(box.id)).filter((n) =>
      n.startsWith('Crossdock applied the count'),
    );
    assert.ok(
      notes.some(
        (n) =>
          n.includes(`counted ${before - 4}, on hand ${before} (-4`) &&
          n.includes('within tolerance'),
      ),
      notes.join(' | '),
    );
    const { approvals } = await h.crossdock.services.approvals.list({});
    assert.ok(!approvals.some((a) => a.runId === run.id), 'no approval asked');
  });

  test('the same count from two scanners at once applies once', async () => {
    const lacquer = product('Wood Finish Lacquer');
    const before = (await quantOf(lacquer.id)).quantity;
    const runs = await Promise.all([count(lacquer.id, before - 2), count(lacquer.id, before - 2)]);
    for (const run of runs) assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal((await quantOf(lacquer.id)).quantity, before - 2);
    assert.equal((await adjustments(lacquer.id)).length, 1);
  });

  test('a count above tolerance needs two distinct approvers: the counter and one approver twice are refused, and nothing is applied before the second', async () => {
    const dock = product('Laptop Docking Station');
    const before = (await quantOf(dock.id)).quantity;
    const waiting = await count(dock.id, before - 2, WENDY);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    assert.deepEqual(request.assignees.sort(), [DORA, FIONA], 'the counter is not asked');
    const counted = await quantOf(dock.id);
    assert.equal(counted.inventory_quantity_set, true, 'the count is recorded in Odoo');
    assert.equal(counted.inventory_quantity, before - 2);

    await assert.rejects(decide(request.id, WENDY, 'approve'), { code: 'APPROVAL_SELF_APPROVAL' });
    await decide(request.id, FIONA, 'approve');
    await assert.rejects(decide(request.id, FIONA, 'approve'), { code: 'APPROVAL_ALREADY_VOTED' });
    assert.equal((await h.crossdock.services.approvals.show(request.id)).status, 'pending');
    assert.equal((await quantOf(dock.id)).quantity, before, 'nothing applied after one approval');
    assert.equal((await adjustments(dock.id)).length, 0);

    await decide(request.id, DORA, 'approve');
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.ok(h.path(done).includes('apply-approved'), h.path(done).join(' '));
    const quant = await quantOf(dock.id);
    assert.equal(quant.quantity, before - 2);
    assert.equal(quant.inventory_quantity_set, false);
    assert.equal((await adjustments(dock.id)).length, 1);
    const activities = await activitiesOn(dock.id);
    assert.equal(activities.length, 1, JSON.stringify(activities));
    assert.match(
      activities[0]!.summary,
      /^Reconcile the inventory adjustment of .*Laptop Docking Station in WH\/Stock$/,
    );
    assert.equal(activities[0]!.user_id[0], 2);
    assert.ok(
      (await notesOn(dock.id)).some(
        (n) => n.includes('after two approvals') && n.includes('500 or more in value'),
      ),
    );
  });

  test('a count worth little but far off the stock needs the two approvers too (the percentage rule)', async () => {
    // The lab's storage box (product 18): 18 on hand at a cost of 14; counted 15 is 42 at cost, 16.67 %.
    const waiting = await count(18, 15, 'carl.counter@demo.crossdock.test');
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    const shown = await h.crossdock.services.approvals.show(request.id);
    assert.match(
      shown.summary,
      /Storage Box in WH\/Stock: counted 15, on hand 18 \(-3, 16\.67%, 42\.00 at cost\): count variance above 5% of the stock$/,
    );
    assert.equal(shown.requester, 'carl.counter@demo.crossdock.test');
    await decide(request.id, WENDY, 'approve');
    await decide(request.id, DORA, 'approve');
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal((await quantOf(18)).quantity, 15);
  });

  test('a rejected count applies nothing: the count is cleared in Odoo and the warehouse is asked to count again', async () => {
    const table = product('Conference Table');
    const before = (await quantOf(table.id)).quantity;
    const waiting = await count(table.id, before + 3, 'carl.counter@demo.crossdock.test');
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    await decide(request.id, WENDY, 'approve');
    await decide(request.id, FIONA, 'reject', 'the delivery of this morning was not booked yet');
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const quant = await quantOf(table.id);
    assert.equal(quant.quantity, before, 'the stock is unchanged');
    assert.equal(quant.inventory_quantity_set, false, 'the count is cleared');
    assert.equal(quant.inventory_quantity, 0);
    assert.equal((await adjustments(table.id)).length, 0);
    assert.ok(
      (await notesOn(table.id)).some((n) =>
        n.includes('rejected (the delivery of this morning was not booked yet)'),
      ),
    );
    assert.match(
      (await activitiesOn(table.id))[0]!.summary,
      /^Count .*Conference Table in WH\/Stock again$/,
    );
  });

  test('a count recorded in Odoo is found by the scan; scans while it waits for its approvers start nothing more', async () => {
    const desk = product('Standing Desk Frame');
    const quant = await quantOf(desk.id);
    await h.rpc('stock.quant', 'write', [[quant.id], { inventory_quantity: quant.quantity - 2 }]);
    const countRuns = async () => {
      const runs = await h.crossdock.engine.runs.list({ workflowId: 'inventory-count' });
      const details = await Promise.all(runs.map((r) => h.crossdock.engine.runs.show(r.id)));
      return details.filter(
        (r: RunDetail) => (r.input as { product_id?: number }).product_id === desk.id,
      );
    };
    await scan();
    const waiting = await eventually('the count run of the desk frame waits', async () =>
      (await countRuns()).find((r) => r.status === 'waiting'),
    );
    assert.equal((waiting.input as { via?: string }).via, 'scan');
    await scan();
    assert.equal(
      (await countRuns()).length,
      1,
      'the second scan found the same count: a duplicate',
    );
    const request = await h.pendingRequestFor(waiting.id);
    await decide(request.id, WENDY, 'approve');
    await decide(request.id, FIONA, 'approve');
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal((await quantOf(desk.id)).quantity, quant.quantity - 2);
    assert.equal((await adjustments(desk.id)).length, 1);
  });

  /** Moves the clock an hour on and fires the scheduler; resolves once that count scan has ended. */
  async function scan(): Promise<void> {
    const ended = async () =>
      (await h.crossdock.engine.runs.list({ workflowId: 'inventory-count-scan' })).filter(
        (r) => r.status === 'completed',
      ).length;
    const before = await ended();
    clock.advance(HOUR);
    await h.crossdock.engine.scheduler.tick();
    await eventually('one more count scan', async () => (await ended()) > before);
  }

  test("a small scrap is done at once; a large one needs two approvers, and one beyond the stock goes through Odoo's insufficient-quantity confirmation", async () => {
    const shelf = product('Steel Shelving');
    const [smallRun] = await submit('inventory.scrap-requested', {
      product_id: shelf.id,
      quantity: 1,
      reason: 'bent upright',
    });
    const small = await settled(smallRun!);
    assert.equal(small.status, 'completed', JSON.stringify(small.error));
    type Scrap = { name: string; state: string; scrap_qty: number; origin: string };
    const scrapsOf = (productId: number) =>
      h.rpc<Scrap[]>('stock.scrap', 'search_read', [[['product_id', '=', productId]]], {
        fields: ['name', 'state', 'scrap_qty', 'origin'],
      });
    const smallScraps = await scrapsOf(shelf.id);
    assert.equal(smallScraps.length, 1);
    assert.equal(smallScraps[0]!.state, 'done');

    // 20 chairs, beyond the 10 in stock (the lab's product 25, as in inv-12), 3 600 at cost:
    // under the step-up threshold.
    const chair = 25;
    const onHand = (await quantOf(chair)).quantity;
    const [bigRun] = await submit(
      'inventory.scrap-requested',
      { product_id: chair, quantity: 20, reason: 'water damage', requested_by: WENDY },
      'scrap-chairs',
    );
    const waiting = await settled(bigRun!);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    assert.equal((await scrapsOf(chair)).length, 0, 'nothing created before approval');
    const request = await h.pendingRequestFor(waiting.id);
    await assert.rejects(decide(request.id, WENDY, 'approve'), { code: 'APPROVAL_SELF_APPROVAL' });
    await decide(request.id, DORA, 'approve');
    assert.equal((await scrapsOf(chair)).length, 0, 'nothing created after one approval');
    await decide(request.id, FIONA, 'approve');
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.ok(h.path(done).includes('force'), h.path(done).join(' '));
    const chairs = await scrapsOf(chair);
    assert.equal(chairs.length, 1);
    assert.equal(chairs[0]!.state, 'done');
    assert.equal((await quantOf(chair)).quantity, onHand - 20, 'the stock goes negative');
    assert.match((await activitiesOn(chair))[0]!.summary, /^Reconcile the scrap SP\/\d{5} of /);
  });

  test('a small scrap of a product with none on hand is held for the approvers, not done at once', async () => {
    const template = (await h.odoo.db.call('product.template', 'create', [
      { name: 'Cable Tie Pack', type: 'product', list_price: 4, standard_price: 2 },
    ])) as number;
    const ties = (await h.odoo.db.call('product.product', 'create', [
      { product_tmpl_id: template, standard_price: 2, default_code: 'TIES-100' },
    ])) as number;
    const [runId] = await submit('inventory.scrap-requested', {
      product_id: ties,
      quantity: 1,
      reason: 'torn bag',
      requested_by: WENDY,
    });
    const waiting = await settled(runId!);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    assert.deepEqual(await h.rpc('stock.scrap', 'search', [[['product_id', '=', ties]]]), []);
  });

  test('a rejected scrap leaves nothing in Odoo but a note on the product', async () => {
    const chair = product('Ergonomic Office Chair');
    const before = (await quantOf(chair.id)).quantity;
    const [runId] = await submit('inventory.scrap-requested', {
      product_id: chair.id,
      quantity: 2,
      reason: 'torn seat',
      requested_by: WENDY,
    });
    const waiting = await settled(runId!);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    assert.match(
      (await h.crossdock.services.approvals.show(request.id)).summary,
      /: scrap of 250 or more in value$/,
    );
    await decide(request.id, FIONA, 'reject', 'send it back to the vendor instead');
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.deepEqual(
      await h.rpc('stock.scrap', 'search', [[['product_id', '=', chair.id]]]),
      [],
      'no scrap in Odoo',
    );
    assert.equal((await quantOf(chair.id)).quantity, before);
    assert.ok(
      (await notesOn(chair.id)).some(
        (n) =>
          n.includes('rejected (send it back to the vendor instead)') &&
          n.includes('Nothing was scrapped.'),
      ),
    );
  });
});
