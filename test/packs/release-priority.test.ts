/**
 * Release and dispatch honour a sale order's Delivery Date (commitment_date, a shop order's
 * ship-by): with the one worker busy, of two confirmed orders the one confirmed later but due
 * sooner is released and booked with a carrier first. What a user sees: the carrier's
 * bookings, in the order the carrier received them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { eventually, HOUR, packHarness, type PackHarness } from './support.ts';

describe('release and dispatch take the order due sooner first', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(async () => {
    await h?.close();
  });

  const odooTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const confirmDueBy = async (dueInHours: number): Promise<{ id: number; name: string }> => {
    const uid = h.catalog.salespersonUid;
    const partner = h.catalog.customers.find((c) => c.name.startsWith('Nordhafen'))!;
    const product = h.catalog.products.find((p) => p.name.startsWith('Steel Shelving Unit'))!;
    const id = (await h.odoo.db.call(
      'sale.order',
      'create',
      [
        {
          partner_id: partner.id,
          user_id: uid,
          commitment_date: odooTime(Date.now() + dueInHours * HOUR),
          order_line: [[0, 0, { product_id: product.id, product_uom_qty: 1 }]],
        },
      ],
      {},
      uid,
    )) as number;
    await h.odoo.db.call('sale.order', 'action_confirm', [[id]], {}, uid);
    const [row] = h.odoo.db.searchRead('sale.order', [['id', '=', id]], ['name']);
    return { id, name: String(row!.name) };
  };
  const pickingOf = async (orderId: number) =>
    (
      await h.rpc<{ name: string }[]>(
        'stock.picking',
        'search_read',
        [[['sale_id', '=', orderId]]],
        {
          fields: ['name'],
        },
      )
    )[0]!.name;
  /** Every carrier's bookings, in the order the carriers took them. */
  const booked = () =>
    h.carriers.profiles
      .flatMap((p) => h.carriers.bookings(p.code))
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
      .map((b) => b.reference);

  test('the later order due sooner is booked first', async () => {
    const engine = h.crossdock.engine;
    await engine.stopWorkers();
    const later = await confirmDueBy(72);
    const sooner = await confirmDueBy(6);
    // Both confirmations are accepted (the hint's re-read is the door's, not a worker's).
    await eventually('both confirmations stored', async () => {
      const runs = await sql<{ n: string }>`
        SELECT count(*) AS n FROM runs WHERE workflow_id = 'order-confirmation-gate'
          AND (input->>'id')::int IN (${later.id}, ${sooner.id})`.execute(h.crossdock.store.db);
      return Number(runs.rows[0]!.n) === 2;
    });
    engine.startWorkers(1, { concurrency: 1, claimBatch: 1 });
    const [laterPicking, soonerPicking] = [await pickingOf(later.id), await pickingOf(sooner.id)];
    const order = await eventually('both deliveries booked', async () => {
      const refs = booked().filter((r) => r === laterPicking || r === soonerPicking);
      return refs.length === 2 && refs;
    });
    assert.deepEqual(order, [soonerPicking, laterPicking]);
  });
});
