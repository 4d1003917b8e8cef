import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { testAuthenticators } from './authenticators.ts';
import { JumpingClock, packHarness, type PackHarness } from './support.ts';

/**
 * The inventory-control pack's step-up tier end to end: a count variance or a scrap worth
 * 5 000 or more at cost needs the two distinct write-off approvers, each confirming with a
 * code from their authenticator. A decision without one is refused and nothing is applied in
 * Odoo; with valid codes from both, the change is applied once. Each test reads the quant,
 * the adjustment or scrap and the product's notes back from Odoo over RPC.
 */
describe('inventory-control pack: write-offs of 5 000 and more need a second factor', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  let apps: ReturnType<typeof testAuthenticators>;
  const WH_STOCK = 8;
  const WENDY = 'wendy.warehouse@demo.crossdock.test';
  const FIONA = 'fiona.finance@demo.crossdock.test';
  const DORA = 'dora.director@demo.crossdock.test';
  before(async () => {
    h = await packHarness({ clock });
    apps = testAuthenticators(h, clock);
  });
  after(() => h.close());

  const quantOf = async (productId: number) => {
    const quants = await h.rpc<
      { quantity: number; inventory_quantity: number; inventory_quantity_set: boolean }[]
    >(
      'stock.quant',
      'search_read',
      [
        [
          ['product_id', '=', productId],
          ['location_id', '=', WH_STOCK],
        ],
      ],
      { fields: ['quantity', 'inventory_quantity', 'inventory_quantity_set'] },
    );
    assert.equal(quants.length, 1, `one quant of product ${productId}`);
    return quants[0]!;
  };
  const adjustments = (productId: number) =>
    h.rpc<{ product_uom_qty: number; state: string }[]>(
      'stock.move',
      'search_read',
      [
        [
          ['product_id', '=', productId],
          ['is_inventory', '=', true],
        ],
      ],
      { fields: ['product_uom_qty', 'state'] },
    );
  const scrapsOf = (productId: number) =>
    h.rpc<{ state: string; scrap_qty: number }[]>(
      'stock.scrap',
      'search_read',
      [[['product_id', '=', productId]]],
      { fields: ['state', 'scrap_qty'] },
    );
  const notesOn = async (productId: number) => {
    const [product] = await h.rpc<{ product_tmpl_id: [number, string] }[]>(
      'product.product',
      'read',
      [[productId]],
      { fields: ['product_tmpl_id'] },
    );
    return h.chatter('product.template', product!.product_tmpl_id[0]);
  };
  const settled = (runId: string, statuses = ['completed', 'failed', 'waiting']) =>
    waitForRun(h.crossdock.engine, runId, statuses, 60_000);
  const submit = async (type: string, key: string, payload: Record<string, unknown>) => {
    const { runIds } = await h.crossdock.engine.accept({ source: 'scanner', type, key, payload });
    assert.equal(runIds.length, 1, `${key} starts one run`);
    return settled(runIds[0]!);
  };
  const decide = (requestId: string, email: string, code?: string) =>
    h.crossdock.services.approvals.decide(
      requestId,
      h.approver(email),
      'approve',
      'checked on the shelf',
      'api',
      code === undefined ? {} : { code },
    );
  /** The step-up request of a waiting run: its level asks for the code, the counter is not asked. */
  const stepUpRequest = async (runId: string) => {
    const request = await h.pendingRequestFor(runId);
    assert.equal(request.level, 'write-off-step-up');
    assert.deepEqual(request.assignees.sort(), [DORA, FIONA], 'who asked is not asked');
    const shown = await h.crossdock.services.approvals.show(request.id);
    assert.equal(shown.level.stepUp, true);
    assert.equal(shown.level.required, 2);
    return { ...request, summary: shown.summary };
  };
  const refusals = async (requestId: string) =>
    (await h.crossdock.services.approvals.show(requestId)).actions
      .filter((a) => a.action === 'step_up_refused')
      .map((a) => a.details.code);

  test('a count variance of 5 600 at cost: refused without a code, applied once after two approvers with valid codes', async () => {
    // The lab's large cabinet (product 17): 500 on hand at a cost of 800; counted 493 is -7, 5 600 at cost, 1.4 %.
    const cabinet = 17;
    const before = (await quantOf(cabinet)).quantity;
    assert.equal(before, 500);
    const payload = {
      product_id: cabinet,
      location_id: WH_STOCK,
      counted_qty: 493,
      counted_by: WENDY,
    };
    const waiting = await submit('inventory.count-submitted', 'count-cabinet-1', payload);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await stepUpRequest(waiting.id);
    assert.match(
      request.summary,
      /Large Cabinet in WH\/Stock: counted 493, on hand 500 \(-7, 1\.4%, 5,600\.00 at cost\): count variance of 5000 or more in value$/,
    );

    await assert.rejects(decide(request.id, FIONA), { code: 'APPROVAL_STEP_UP_NOT_ENROLLED' });
    await apps.enrol(FIONA, DORA);
    await assert.rejects(decide(request.id, FIONA), { code: 'APPROVAL_STEP_UP_REQUIRED' });
    await assert.rejects(decide(request.id, DORA), { code: 'APPROVAL_STEP_UP_REQUIRED' });
    assert.equal((await h.crossdock.services.approvals.show(request.id)).status, 'pending');
    assert.deepEqual(await adjustments(cabinet), [], 'nothing applied without a code');
    assert.equal((await quantOf(cabinet)).quantity, 500);

    await decide(request.id, FIONA, await apps.code(FIONA));
    assert.equal((await quantOf(cabinet)).quantity, 500, 'nothing applied after one approval');
    await decide(request.id, DORA, await apps.code(DORA));
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.ok(h.path(done).includes('apply-approved'), h.path(done).join(' '));

    // The same count sent again by the scanner finds the stock at the counted quantity.
    const again = await submit('inventory.count-submitted', 'count-cabinet-2', payload);
    assert.equal(again.status, 'completed', JSON.stringify(again.error));
    const quant = await quantOf(cabinet);
    assert.equal(quant.quantity, 493);
    assert.equal(quant.inventory_quantity_set, false);
    const moves = await adjustments(cabinet);
    assert.deepEqual(
      moves.map((m) => [m.product_uom_qty, m.state]),
      [[7, 'done']],
      'applied once',
    );
    assert.ok(
      (await notesOn(cabinet)).some(
        (n) => n.includes('after two approvals') && n.includes('5000 or more in value'),
      ),
    );
    assert.deepEqual(await refusals(request.id), [
      'APPROVAL_STEP_UP_NOT_ENROLLED',
      'APPROVAL_STEP_UP_REQUIRED',
      'APPROVAL_STEP_UP_REQUIRED',
    ]);
  });

  test("a scrap of 500 chairs beyond the stock (90 000 at cost): refused without a code; with both codes scrapped once through Odoo's insufficient-quantity confirmation", async () => {
    // The lab's office chair (product 25): 10 on hand at a cost of 180, as in inv-12.
    const chair = 25;
    const onHand = (await quantOf(chair)).quantity;
    const payload = {
      product_id: chair,
      quantity: 500,
      reason: 'water damage',
      requested_by: WENDY,
    };
    const waiting = await submit('inventory.scrap-requested', 'scrap-chairs-500', payload);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const { runIds: duplicate } = await h.crossdock.engine.accept({
      source: 'scanner',
      type: 'inventory.scrap-requested',
      key: 'scrap-chairs-500',
      payload,
    });
    assert.deepEqual(duplicate, [], 'the same request again starts nothing');
    const request = await stepUpRequest(waiting.id);
    assert.match(request.summary, /: scrap of 5000 or more in value$/);

    await assert.rejects(decide(request.id, WENDY), { code: 'APPROVAL_SELF_APPROVAL' });
    await assert.rejects(decide(request.id, DORA), { code: 'APPROVAL_STEP_UP_REQUIRED' });
    assert.deepEqual(await scrapsOf(chair), [], 'nothing created without a code');
    await decide(request.id, DORA, await apps.code(DORA));
    assert.deepEqual(await scrapsOf(chair), [], 'nothing created after one approval');
    await decide(request.id, FIONA, await apps.code(FIONA));
    const done = await settled(waiting.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.ok(h.path(done).includes('force'), h.path(done).join(' '));
    assert.deepEqual(
      (await scrapsOf(chair)).map((s) => [s.scrap_qty, s.state]),
      [[500, 'done']],
      'scrapped once',
    );
    assert.equal((await quantOf(chair)).quantity, onHand - 500, 'the stock goes negative');
  });
});
