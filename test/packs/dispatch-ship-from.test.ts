import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CARGOPLUS, EUROLINE, PARCELNOW, SWIFTPOST } from '../../sim/carriers/index.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * Dispatch ships from the address of the delivery's warehouse in Odoo, and classes a shipment
 * by that address: here the simulator's own company, "My Company (San Francisco)", US, whose
 * orders are in USD. Its carriers serve the US (SwiftPost and EuroLine as domestic carriers
 * there), so a US customer's parcel is domestic and goes through the policy's domestic list.
 */
describe('dispatch from a US warehouse, in USD', () => {
  let h: PackHarness;
  let customerId: number;
  before(async () => {
    h = await packHarness({
      carrierProfiles: [
        { ...SWIFTPOST, countries: ['US'], currency: 'USD' },
        { ...EUROLINE, countries: ['US'], currency: 'USD' },
        CARGOPLUS,
        PARCELNOW,
      ],
    });
    // The warehouse's address is the company's (Odoo's default): 250 Executive Park Blvd, San Francisco, US.
    await h.odoo.db.call('stock.warehouse', 'write', [[1], { partner_id: 1 }]);
    const [us] = h.odoo.db.searchRead('res.country', [['code', '=', 'US']], ['id']);
    const [standard] = h.odoo.db.searchRead(
      'res.partner.category',
      [['name', '=', 'Standard']],
      ['id'],
    );
    customerId = (await h.odoo.db.call('res.partner', 'create', [
      {
        name: 'Golden Gate Office Supply',
        is_company: true,
        customer_rank: 1,
        country_id: us!.id,
        zip: '94107',
        city: 'San Francisco',
        street: '500 Brannan St',
        email: 'orders@golden-gate-office.test',
        category_id: [[6, 0, [standard!.id]]],
      },
    ])) as number;
  });
  after(() => h.close());

  test('a US customer is domestic: the first domestic carrier keeps failing, the next one books; sums say USD', async () => {
    h.carriers.faults.failNext('swiftpost', 3, { kind: 'server-error', status: 503 }, 'book');
    const order = await h.placeOrder(customerId, [['Steel Shelving Unit', 1]]);
    const release = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(h.path(release).includes('released'), h.path(release).join(' '));
    const run = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const output = (id: string) =>
      run.steps.filter((s) => s.stepId === id && s.status === 'completed').at(-1)!.output as Record<
        string,
        any
      >;
    assert.equal(output('classify').region, 'domestic');
    assert.deepEqual(output('choose').decision.carriers, ['swiftpost', 'euroline', 'cargoplus']);
    const shipment = output('shipment');
    assert.deepEqual(shipment.from, {
      country: 'US',
      postcode: '94134',
      city: 'San Francisco',
      street: '250 Executive Park Blvd, Suite 3400',
      name: 'My Company (San Francisco)',
    });
    assert.deepEqual(shipment.declared_value, { amount: 218.5, currency: 'USD' });
    const book = output('book');
    assert.equal(book.carrier, 'euroline');
    assert.equal(book.fallbacks_used, 1);
    assert.equal(
      book.attempts.filter((a: { carrier: string }) => a.carrier === 'swiftpost').length,
      3,
    );
    const [picking] = await h.rpc<{ id: number; name: string }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', order.id]]],
      { fields: ['name'] },
    );
    assert.equal(
      h.carriers.bookings('euroline').filter((b) => b.reference === picking!.name).length,
      1,
    );
    assert.equal(
      h.carriers.bookings('swiftpost').filter((b) => b.reference === picking!.name).length,
      0,
    );
    const notes = await h.chatter('stock.picking', picking!.id);
    assert.ok(
      notes.some((n) =>
        /^Crossdock booked euroline \(road\), tracking EL\S+, \d+\.\d\d USD after 1 fallback\(s\)/.test(
          n,
        ),
      ),
      notes.join(' | '),
    );
  });

  test('a dispatch approval states the order total in the order currency', async () => {
    const order = await h.placeOrder(customerId, [['Lithium Battery Pack', 1]]);
    const release = await h.runFor('order-release', order.id);
    const manager = await h.pendingRequestFor(release.id);
    const releaseSummary = (await h.crossdock.services.approvals.show(manager.id)).summary;
    assert.match(
      releaseSummary,
      /^Order S\d+ for Golden Gate Office Supply, [\d,]+\.\d\d USD, margin /,
    );
    await h.crossdock.services.approvals.decide(
      manager.id,
      h.approver('sam.sales@demo.crossdock.test'),
      'approve',
      null,
      'api',
    );
    const waiting = await h.runFor('dispatch', order.id);
    const request = await h.pendingRequestFor(waiting.id);
    const summary = (await h.crossdock.services.approvals.show(request.id)).summary;
    assert.match(summary, /to US: [\d,]+\.\d\d USD, 6 kg, dangerous goods/);
    assert.doesNotMatch(summary + releaseSummary, /EUR/);
    await eventually('the approval e-mail with the amount in USD', async () =>
      h.mail.mails.find((m) => m.raw.includes(summary.slice(0, 40)) && m.raw.includes('USD')),
    );
  });

  test('a delivery address without a country opens a case for dispatch and books nothing', async () => {
    const nowhere = (await h.odoo.db.call('res.partner', 'create', [
      {
        name: 'Somewhere Trading',
        is_company: true,
        customer_rank: 1,
        email: 'orders@somewhere.test',
      },
    ])) as number;
    const order = await h.placeOrder(nowhere, [['Steel Shelving Unit', 1]]);
    const run = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const { cases } = await h.crossdock.services.exceptions.list({
      status: 'open',
      workflowId: 'dispatch',
    });
    const opened = cases.find((c) => c.runId === run.id);
    assert.match(
      opened?.title ?? '',
      /^Delivery WH\/OUT\/\d+ of order S\d+ not booked: the delivery address Somewhere Trading has no country$/,
    );
    assert.equal(opened!.owner.team, 'dispatch');
    const reference = opened!.subject!.name;
    assert.deepEqual(
      h.carriers.profiles.flatMap((p) =>
        h.carriers.bookings(p.code).filter((b) => b.reference === reference),
      ),
      [],
      'nothing booked',
    );
  });
});
