/**
 * Dispatch and the ship-by (the sale order's Delivery Date, a shop order's latest ship date):
 * booked before it, the policy's carrier; booked after it, the fastest service quoted, and a
 * case for dispatch naming the order, the ship-by and the services considered. What a user
 * sees: the carrier's booking, the delivery's chatter and the exception queue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { HOUR, packHarness, type PackHarness } from './support.ts';

describe('dispatch books within the ship-by, or the fastest service once it has passed', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h?.close());

  /** Naive UTC, as Odoo writes a datetime; and the ISO form the dispatch names. */
  const odooTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const isoOf = (odoo: string) => `${odoo.replace(' ', 'T')}Z`;

  /** A domestic parcel (the policy: SwiftPost first) due at `commitment`, shipped; its booking, chatter and cases. */
  const shipDueAt = async (commitment: string) => {
    const order = await h.placeOrder('Nordhafen', [['Steel Shelving Unit', 1]], {
      commitment_date: commitment,
    });
    const run = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const [picking] = await h.rpc<{ id: number; name: string }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', order.id]]],
      { fields: ['name'] },
    );
    const bookings = h.carriers.profiles.flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === picking!.name)
        .map((b) => ({ carrier: p.code, service: b.service })),
    );
    const cases = (
      await sql<{ title: string; owner_team: string | null; details: Record<string, unknown> }>`
        SELECT title, owner_team, details FROM exception_cases
        WHERE error_code = 'DISPATCH_BOOKED_AFTER_SHIP_BY' AND subject->>'name' = ${picking!.name}`.execute(
        h.crossdock.store.db,
      )
    ).rows;
    const notes = (await h.chatter('stock.picking', picking!.id)).filter((m) =>
      m.startsWith('Crossdock booked'),
    );
    return { order, picking: picking!, bookings, cases, notes };
  };

  test('before its ship-by: the policy picks the carrier, and the note says it ships in time', async () => {
    const due = odooTime(Date.now() + 48 * HOUR);
    const { bookings, cases, notes } = await shipDueAt(due);
    assert.deepEqual(
      bookings.map((b) => b.carrier),
      ['swiftpost'],
    );
    assert.equal(cases.length, 0);
    assert.equal(notes.length, 1);
    assert.ok(notes[0]!.includes(`before its ship-by ${isoOf(due)}`), notes[0]);
  });

  test('after its ship-by: the fastest service quoted is booked, and a case names the order, the ship-by and the services', async () => {
    const due = odooTime(Date.now() - 2 * HOUR);
    const { order, picking, bookings, cases, notes } = await shipDueAt(due);
    // Domestic: CargoPlus express and express_noon take 1 day (express is cheaper), EuroLine 2, SwiftPost 3 or 5.
    assert.deepEqual(bookings, [{ carrier: 'cargoplus', service: 'express' }]);
    assert.equal(notes.length, 1);
    assert.ok(notes[0]!.includes(`its ship-by ${isoOf(due)} had passed`), notes[0]);
    assert.equal(cases.length, 1);
    const [found] = cases;
    assert.equal(found!.owner_team, 'dispatch');
    for (const part of [picking.name, order.name, isoOf(due), 'cargoplus express'])
      assert.ok(found!.title.includes(part), `${part} in ${found!.title}`);
    const considered = found!.details.services_considered as string[];
    assert.deepEqual(
      considered.map((s) => s.split(':')[0]),
      [
        'cargoplus express',
        'cargoplus express_noon',
        'euroline road',
        'swiftpost standard',
        'swiftpost economy',
      ],
    );
  });
});
