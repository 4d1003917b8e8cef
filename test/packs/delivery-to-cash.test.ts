import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RunDetail } from '../../src/engine/index.ts';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * The delivery-to-cash pack end to end: orders are released and shipped by the other packs,
 * the carrier simulator reports the delivery with its proof, and each test reads the result
 * back from Odoo over RPC (the delivery, its attachment and notes, the order's invoices) and
 * from Crossdock's exception queue and event log.
 */
describe('delivery-to-cash pack, end to end', () => {
  let h: PackHarness;
  before(async () => {
    h = await packHarness();
  });
  after(() => h.close());

  type Picking = {
    id: number;
    name: string;
    state: string;
    carrier_tracking_ref: string | false;
    carrier_id: [number, string] | false;
  };
  const pickingOf = async (orderId: number) =>
    (
      await h.rpc<Picking[]>(
        'stock.picking',
        'search_read',
        [
          [
            ['sale_id', '=', orderId],
            ['picking_type_code', '=', 'outgoing'],
          ],
        ],
        { fields: ['name', 'state', 'carrier_tracking_ref', 'carrier_id'] },
      )
    )[0]!;
  const invoicesOf = async (orderId: number) => {
    const [order] = await h.rpc<{ invoice_ids: number[] }[]>('sale.order', 'read', [[orderId]], {
      fields: ['invoice_ids'],
    });
    return h.rpc<
      { id: number; name: string; state: string; move_type: string; amount_total: number }[]
    >('account.move', 'read', [order!.invoice_ids], {
      fields: ['name', 'state', 'move_type', 'amount_total'],
    });
  };
  /** Places an order, lets order-release and dispatch ship it, and returns it with its booking. */
  const shipped = async (customer: string, lines: [string, number][]) => {
    const order = await h.placeOrder(customer, lines);
    const release = await h.runFor('order-release', order.id, ['completed', 'failed']);
    assert.ok(
      h.path(release).includes('released'),
      `order ${order.name} released: ${h.path(release).join(' ')}`,
    );
    const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    const picking = await pickingOf(order.id);
    const booking = h.carriers.profiles.flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === picking.name)
        .map((b) => ({ carrier: p.code, ...b })),
    )[0]!;
    return { order, picking, booking };
  };
  const runsOf = async (workflowId: string, trackingRef: string): Promise<RunDetail[]> => {
    const runs = await h.crossdock.engine.runs.list({ workflowId });
    const details = await Promise.all(runs.map((run) => h.crossdock.engine.runs.show(run.id)));
    return details.filter(
      (run) => (run.input as { tracking_ref?: string }).tracking_ref === trackingRef,
    );
  };
  /** The invoice-release run of a shipment, once it has ended. */
  const releaseRun = (trackingRef: string) =>
    eventually(`the invoice-release run of ${trackingRef}`, async () =>
      (await runsOf('invoice-release', trackingRef)).find(
        (run) => run.status === 'completed' || run.status === 'failed',
      ),
    );
  const casesOf = async (subjectModel: string, subjectId: number) => {
    const { cases } = await h.crossdock.services.exceptions.list({ status: 'open' });
    return cases.filter(
      (c) => c.subject?.model === subjectModel && String(c.subject.id) === String(subjectId),
    );
  };

  test('a delivery reported with its proof, twice: the proof is stored once on the delivery and one invoice is created, posted and noted', async () => {
    const { order, picking, booking } = await shipped('Nordhafen', [['Archive Box', 3]]);
    const proof = {
      signed_by: 'J. Petersen',
      proof_ref: `https://pod.${booking.carrier}.test/${booking.tracking_ref}.jpg`,
    };
    // Two reports of one delivery (another event id each time) and one webhook delivered twice.
    await h.carriers.sendTracking(
      booking.carrier,
      { tracking_ref: booking.tracking_ref, status: 'delivered', ...proof },
      { deliveries: 2 },
    );
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
      ...proof,
    });
    const run = await releaseRun(booking.tracking_ref);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('released'), h.path(run).join(' '));
    await eventually(
      'both reports went through the gate',
      async () =>
        (await runsOf('delivery-proof-gate', booking.tracking_ref)).filter(
          (r) => r.status === 'completed',
        ).length === 2,
    );
    assert.equal(
      (await runsOf('invoice-release', booking.tracking_ref)).length,
      1,
      'one release for two reports',
    );

    assert.equal(
      (await pickingOf(order.id)).state,
      'done',
      'the carrier-confirmed delivery is validated in Odoo',
    );
    const attachments = await h.rpc<
      { name: string; type: string; url: string; description: string }[]
    >(
      'ir.attachment',
      'search_read',
      [
        [
          ['res_model', '=', 'stock.picking'],
          ['res_id', '=', picking.id],
        ],
      ],
      { fields: ['name', 'type', 'url', 'description'] },
    );
    assert.equal(attachments.length, 1);
    assert.equal(attachments[0]!.type, 'url');
    assert.equal(attachments[0]!.url, proof.proof_ref);
    assert.match(attachments[0]!.description, /signed by J\. Petersen/);
    const pickingNotes = (await h.chatter('stock.picking', picking.id)).filter((n) =>
      n.startsWith('Proof of delivery'),
    );
    assert.equal(pickingNotes.length, 1, pickingNotes.join(' | '));
    assert.match(pickingNotes[0]!, /signed by J\. Petersen; document https:\/\/pod\./);

    const invoices = await invoicesOf(order.id);
    assert.equal(invoices.length, 1, 'one invoice for the order');
    const invoice = invoices[0]!;
    assert.equal(invoice.move_type, 'out_invoice');
    assert.equal(invoice.state, 'posted');
    assert.match(invoice.name, /^INV\/\d{4}\/\d{5}$/);
    const lines = await h.rpc<{ quantity: number }[]>(
      'account.move.line',
      'search_read',
      [
        [
          ['move_id', '=', invoice.id],
          ['display_type', '=', 'product'],
        ],
      ],
      { fields: ['quantity'] },
    );
    assert.deepEqual(
      lines.map((l) => l.quantity),
      [3],
      'invoiced for what was delivered',
    );
    const invoiceNotes = (await h.chatter('account.move', invoice.id)).filter((n) =>
      n.startsWith('Crossdock released this invoice'),
    );
    assert.equal(invoiceNotes.length, 1);
    assert.match(
      invoiceNotes[0]!,
      new RegExp(
        `${picking.name.replace(/\//g, '\\/')} delivered .*signed by J\\. Petersen.*delivered in full with proof of delivery`,
      ),
    );

    const released = await sql<{
      payload: {
        invoice: string;
        release_seconds: number;
        delivered_at: string;
        posted_at: string;
      };
    }>`SELECT payload FROM events WHERE type = 'invoice.released' AND payload->>'invoice_id' = ${String(invoice.id)}`.execute(
      h.crossdock.store.db,
    );
    assert.equal(released.rows.length, 1);
    const kpi = released.rows[0]!.payload;
    assert.equal(kpi.invoice, invoice.name);
    assert.ok(
      Number.isInteger(kpi.release_seconds) &&
        kpi.release_seconds >= 0 &&
        kpi.release_seconds < 600,
      `release time ${kpi.release_seconds} s`,
    );
    assert.ok(
      Date.parse(kpi.posted_at) >= Date.parse(kpi.delivered_at) - 1000,
      `${kpi.delivered_at} -> ${kpi.posted_at}`,
    );
  });

  test('a delivery no carrier took, validated in Odoo by the warehouse, is invoiced on that validation, once', async () => {
    // Every carrier refuses the booking: dispatch fails, and the warehouse ships with its own van.
    for (const p of h.carriers.profiles)
      h.carriers.faults.failAlways(p.code, { kind: 'reject', reason: 'depot closed' }, 'book');
    let order: { id: number; name: string };
    try {
      order = await h.placeOrder('Rheinland', [['Archive Box', 2]]);
      const release = await h.runFor('order-release', order.id, ['completed', 'failed']);
      assert.ok(h.path(release).includes('released'), h.path(release).join(' '));
      const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
      assert.equal(dispatch.status, 'failed', 'no carrier booked it');
    } finally {
      h.carriers.faults.clear();
    }
    const picking = await pickingOf(order.id);
    assert.equal(picking.carrier_tracking_ref, false, 'no tracking reference');
    assert.equal(await h.rpc('stock.picking', 'button_validate', [[picking.id]]), true);

    // Odoo's webhook for the done delivery starts the release; the poller's later sighting and
    // a second webhook for the same delivery start nothing more.
    const releasesOf = async () =>
      (
        await sql<{
          id: string;
          status: string;
        }>`SELECT id, status FROM runs WHERE workflow_id = 'invoice-release' AND input->>'picking_id' = ${String(picking.id)}`.execute(
          h.crossdock.store.db,
        )
      ).rows;
    const [ended] = await eventually(
      'the invoice-release run of the validated delivery',
      async () => {
        const runs = await releasesOf();
        return runs.some((r) => r.status === 'completed' || r.status === 'failed')
          ? runs
          : undefined;
      },
    );
    const run = await h.crossdock.engine.runs.show(ended!.id);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('released'), h.path(run).join(' '));
    assert.ok(!h.path(run).includes('tracking'), 'no carrier history to read');
    for (const via of ['poll', 'webhook-again'])
      await h.crossdock.engine.accept({
        source: 'odoo',
        type: 'stock.picking.done',
        key: `stock.picking.done:stock.picking:${picking.id}:${via}`,
        payload: {
          model: 'stock.picking',
          id: picking.id,
          write_date: '2026-12-06 10:00:00',
          record: { name: picking.name, state: 'done', carrier_tracking_ref: false },
          via,
        },
      });
    await eventually('the repeats went through the gate', async () => {
      const gates = await sql<{ n: string }>`
        SELECT count(*) AS n FROM runs WHERE workflow_id = 'delivery-validated-gate'
          AND input->>'id' = ${String(picking.id)} AND status = 'completed'`.execute(
        h.crossdock.store.db,
      );
      return Number(gates.rows[0]!.n) >= 3 || undefined;
    });
    assert.equal((await releasesOf()).length, 1, 'one release for the delivery');

    const invoices = await invoicesOf(order.id);
    assert.deepEqual(
      invoices.map((i) => [i.move_type, i.state]),
      [['out_invoice', 'posted']],
      'one posted invoice',
    );
    const notes = (await h.chatter('stock.picking', picking.id)).filter((n) =>
      n.startsWith('Proof of delivery'),
    );
    assert.equal(notes.length, 1, notes.join(' | '));
    assert.match(
      notes[0]!,
      /^Proof of delivery: validated in Odoo \d{4}-\d\d-\d\dT[\d:]+Z with no carrier; the validation is the proof\./,
    );
    assert.ok(
      (await h.chatter('account.move', invoices[0]!.id)).some((n) =>
        /^Crossdock released this invoice on proof of delivery: .* \(validated in Odoo, no carrier\); /.test(
          n,
        ),
      ),
    );
  });

  test('a carrier-shipped delivery, validated by Crossdock on its proof, is not released again by the "done" Odoo reports', async () => {
    const { picking, booking } = await shipped('Atelier', [['Archive Box', 1]]);
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
      signed_by: 'C. Martin',
      proof_ref: `https://pod.${booking.carrier}.test/${booking.tracking_ref}.jpg`,
    });
    const run = await releaseRun(booking.tracking_ref);
    assert.ok(h.path(run).includes('released'), h.path(run).join(' '));
    // Crossdock's validation of the delivery comes back from Odoo as a "done" change.
    await eventually(
      'the gate saw the carrier-shipped delivery and left it to the carrier',
      async () => {
        const gates = await sql<{ output_path: string[] }>`
        SELECT array_agg(s.step_id ORDER BY s.seq) AS output_path FROM runs r JOIN run_steps s ON s.run_id = r.id
        WHERE r.workflow_id = 'delivery-validated-gate' AND r.input->>'id' = ${String(picking.id)}
          AND r.status = 'completed' GROUP BY r.id`.execute(h.crossdock.store.db);
        return gates.rows.some((g) => g.output_path.includes('left-to-carrier')) || undefined;
      },
    );
    const releases = await sql<{ n: string }>`
      SELECT count(*) AS n FROM runs WHERE workflow_id = 'invoice-release' AND input->>'picking_id' = ${String(picking.id)}`.execute(
      h.crossdock.store.db,
    );
    assert.equal(Number(releases.rows[0]!.n), 0, 'no release keyed by the picking');
  });

  test('a shipment the carrier reported damaged is not invoiced: a case for finance with the reason', async () => {
    const { order, booking } = await shipped('Van Dijk', [['LED Desk Lamp', 1]]);
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'damaged',
      reason: 'crushed corner',
    });
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
      signed_by: 'M. de Vries',
      proof_ref: 'https://pod.test/damaged.pdf',
    });
    const run = await releaseRun(booking.tracking_ref);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('hold-case'), h.path(run).join(' '));
    assert.deepEqual(await invoicesOf(order.id), [], 'no invoice');
    const [held] = (await casesOf('sale.order', order.id)).filter(
      (c) => c.workflowId === 'invoice-release',
    );
    assert.ok(held, 'a case on the order');
    assert.match(held.title, /held: the carrier reported the shipment damaged$/);
    assert.equal(held.owner.team, 'finance');
    assert.ok(
      (await h.chatter('sale.order', order.id)).some(
        (n) => n.startsWith('Crossdock holds the invoice') && n.includes(held.id),
      ),
    );
  });

  test('a delivered shipment Odoo holds nothing reserved on (its stock counted away since) is not invoiced: a case for the warehouse', async () => {
    const { order, picking, booking } = await shipped('Nordhafen', [['Archive Box', 2]]);
    // After the goods left, the shelf was counted empty and the count applied: Odoo took the
    // delivery's reservation back, and checking availability finds nothing to reserve.
    await h.odoo.db.call('stock.picking', 'do_unreserve', [[picking.id]], {}, 2);
    const [move] = (await h.odoo.db.call(
      'stock.move',
      'search_read',
      [[['picking_id', '=', picking.id]]],
      { fields: ['product_id', 'location_id'] },
      2,
    )) as { product_id: [number, string]; location_id: [number, string] }[];
    const quants = (await h.odoo.db.call(
      'stock.quant',
      'search',
      [
        [
          ['product_id', '=', move!.product_id[0]],
          ['location_id', '=', move!.location_id[0]],
        ],
      ],
      {},
      2,
    )) as number[];
    const count = async (quantity: number) => {
      await h.odoo.db.call(
        'stock.quant',
        'write',
        [quants, { inventory_quantity: quantity }],
        {},
        2,
      );
      await h.odoo.db.call('stock.quant', 'action_apply_inventory', [quants], {}, 2);
    };
    const [shelf] = await h.rpc<{ quantity: number }[]>('stock.quant', 'read', [quants], {
      fields: ['quantity'],
    });
    await count(0);
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
      signed_by: 'J. Petersen',
      proof_ref: 'https://pod.test/unreserved.pdf',
    });
    const run = await releaseRun(booking.tracking_ref);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.ok(h.path(run).includes('unreserved-case'), h.path(run).join(' '));
    assert.deepEqual(await invoicesOf(order.id), [], 'no invoice');
    assert.notEqual((await pickingOf(order.id)).state, 'done', 'not validated');
    const [held] = await casesOf('stock.picking', picking.id);
    assert.ok(held, 'a case on the delivery');
    assert.equal(held.owner.team, 'warehouse');
    assert.match(held.title, /held: delivered by .*, but nothing is reserved on it in Odoo/);
    assert.ok(
      (await h.chatter('stock.picking', picking.id)).some(
        (n) => n.includes('nothing is reserved on this delivery') && n.includes(held.id),
      ),
    );
    await count(shelf!.quantity); // the shelf restocked for the tests that follow
  });

  test('a delivery reported without a signer or a document is not invoiced, and its note says no proof was given', async () => {
    const { order, picking, booking } = await shipped('Nordhafen', [['LED Desk Lamp', 1]]);
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
    });
    const run = await releaseRun(booking.tracking_ref);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(
      await invoicesOf(order.id),
      [],
      JSON.stringify({ input: run.input, path: h.path(run) }),
    );
    const [held] = (await casesOf('sale.order', order.id)).filter(
      (c) => c.workflowId === 'invoice-release',
    );
    assert.match(held!.title, /held: no proof of delivery \(signer and document\)$/);
    assert.deepEqual(
      await h.rpc(
        'ir.attachment',
        'search_read',
        [
          [
            ['res_model', '=', 'stock.picking'],
            ['res_id', '=', picking.id],
          ],
        ],
        { fields: ['name'] },
      ),
      [],
      'nothing to attach',
    );
    assert.ok(
      (await h.chatter('stock.picking', picking.id)).some((n) =>
        /^Proof of delivery from \w+: delivered .*, no signature; no proof document\./.test(n),
      ),
    );
  });

  test('a customer on hold is not invoiced: the case goes to credit control', async () => {
    const { order, booking } = await shipped('Atelier', [['Archive Box', 1]]);
    const [row] = await h.rpc<{ partner_id: [number, string] }[]>(
      'sale.order',
      'read',
      [[order.id]],
      { fields: ['partner_id'] },
    );
    const partnerId = row!.partner_id[0];
    await h.odoo.db.call('res.partner', 'write', [
      [partnerId],
      { sale_warn: 'block', sale_warn_msg: 'Account frozen by credit control' },
    ]);
    try {
      await h.carriers.sendTracking(booking.carrier, {
        tracking_ref: booking.tracking_ref,
        status: 'delivered',
        signed_by: 'A. Roux',
        proof_ref: 'https://pod.test/hold.pdf',
      });
      const run = await releaseRun(booking.tracking_ref);
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      assert.deepEqual(await invoicesOf(order.id), []);
      const [held] = (await casesOf('sale.order', order.id)).filter(
        (c) => c.workflowId === 'invoice-release',
      );
      assert.match(held!.title, /held: the customer is on hold$/);
      assert.equal(held!.owner.team, 'credit-control');
    } finally {
      await h.odoo.db.call('res.partner', 'write', [
        [partnerId],
        { sale_warn: 'no-message', sale_warn_msg: false },
      ]);
    }
  });

  test('a dispute on an order holds its invoice; a dispute on an invoice opens a case linked to it and gives the collector an activity', async () => {
    const { order, booking } = await shipped('Milano', [['Archive Box', 2]]);
    await h.crossdock.engine.accept({
      source: 'portal',
      type: 'customer.dispute',
      key: `dispute:${order.name}`,
      payload: { order: order.name, reason: 'two boxes ordered, wrong size' },
    });
    await eventually('the dispute activity on the order', async () => {
      const activities = await h.rpc<{ summary: string; user_id: [number, string] }[]>(
        'mail.activity',
        'search_read',
        [
          [
            ['res_model', '=', 'sale.order'],
            ['res_id', '=', order.id],
          ],
        ],
        { fields: ['summary', 'user_id'] },
      );
      return activities.find(
        (a) => a.summary === 'Customer dispute: two boxes ordered, wrong size',
      );
    });
    const [orderDispute] = (await casesOf('sale.order', order.id)).filter(
      (c) => c.workflowId === 'customer-dispute',
    );
    assert.ok(orderDispute, 'a dispute case on the order');
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
      signed_by: 'G. Rossi',
      proof_ref: 'https://pod.test/dispute.pdf',
    });
    const run = await releaseRun(booking.tracking_ref);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(await invoicesOf(order.id), [], 'held while the dispute is open');
    const [held] = (await casesOf('sale.order', order.id)).filter(
      (c) => c.workflowId === 'invoice-release',
    );
    assert.match(held!.title, /held: the customer has an open dispute on this order$/);

    // An invoiced order (released on its proof), then disputed on the invoice itself.
    const clean = await shipped('Rheinland', [['Archive Box', 1]]);
    await h.carriers.sendTracking(clean.booking.carrier, {
      tracking_ref: clean.booking.tracking_ref,
      status: 'delivered',
      signed_by: 'K. Weber',
      proof_ref: 'https://pod.test/clean.pdf',
    });
    assert.equal((await releaseRun(clean.booking.tracking_ref)).status, 'completed');
    const [invoice] = await invoicesOf(clean.order.id);
    assert.equal(invoice!.state, 'posted');
    await h.crossdock.engine.accept({
      source: 'portal',
      type: 'customer.dispute',
      key: `dispute:${invoice!.name}`,
      payload: { invoice: invoice!.name, reason: 'price differs from the quote' },
    });
    const activity = await eventually('the collector activity on the invoice', async () => {
      const activities = await h.rpc<
        { summary: string; user_id: [number, string]; note: string }[]
      >(
        'mail.activity',
        'search_read',
        [
          [
            ['res_model', '=', 'account.move'],
            ['res_id', '=', invoice!.id],
          ],
        ],
        { fields: ['summary', 'user_id', 'note'] },
      );
      return activities[0];
    });
    assert.equal(activity.summary, 'Customer dispute: price differs from the quote');
    assert.equal(activity.user_id[0], 2, 'the collector');
    const [disputeCase] = await casesOf('account.move', invoice!.id);
    assert.ok(disputeCase, 'a case linked to the invoice');
    assert.equal(disputeCase.workflowId, 'customer-dispute');
    assert.equal(disputeCase.owner.team, 'finance');
    assert.match(
      disputeCase.title,
      new RegExp(
        `^Customer dispute on ${invoice!.name.replace(/\//g, '\\/')}: price differs from the quote$`,
      ),
    );
    assert.ok(activity.note.includes(disputeCase.id), 'the activity names the case');
  });
});
