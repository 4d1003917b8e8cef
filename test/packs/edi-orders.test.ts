/**
 * The EDI orders pack (packs/edi-orders) end to end, on the demo's simulators: the trading
 * partner simulator posts X12 850s to /hooks/edi/<partner> and records what Crossdock sends
 * back; the simulated Odoo holds the sale orders. One 850 gives a 997, a confirmed sale order
 * and an 855 (which the partner's 997 acknowledges); the same interchange twice gives one
 * order; a malformed one a 997 naming the segment and element, and a case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { listDocuments, sweepOverdueAcks } from '../../src/connectors/edi/index.ts';
import { order850, writeSim } from '../../sim/edi/index.ts';
import { HOUR, JumpingClock, eventually, packHarness, type PackHarness } from './support.ts';
import { segmentsOf } from './edi-support.ts';

describe('EDI orders: 850 in, 997 and 855 out, a sale order in Odoo', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  before(async () => {
    h = await packHarness({ clock });
  });
  after(async () => {
    await h?.close();
  });

  const ordersWithRef = (ref: string) =>
    h.rpc<
      {
        id: number;
        name: string;
        state: string;
        partner_id: [number, string];
        partner_shipping_id: [number, string];
      }[]
    >('sale.order', 'search_read', [[['client_order_ref', '=', ref]]], {
      fields: ['name', 'state', 'partner_id', 'partner_shipping_id'],
    });
  const runsOf = async (po: string) =>
    (
      await sql<{
        status: string;
      }>`SELECT status FROM runs WHERE workflow_id = 'edi-purchase-order' AND input->>'po_number' = ${po}`.execute(
        h.crossdock.store.db,
      )
    ).rows.map((r) => r.status);

  test('an 850 is acknowledged by a 997, becomes a confirmed sale order, and is answered by an 855 the partner acknowledges', async () => {
    const { partner, buyerParts, shipToId, customerId } = h.edi;
    const chair = h.catalog.products[0]!;
    const lamp = h.catalog.products.find((p) => p.name.startsWith('LED Desk Lamp'))!;
    assert.equal(
      buyerParts[lamp.name],
      undefined,
      'the lamp is found by its UPC, not a part number',
    );
    await h.rpc('product.product', 'write', [[lamp.id], { barcode: '040000123457' }]);

    const sent = await partner.sendOrder({
      poNumber: 'NH-PO-5001',
      shipTo: { code: '0042', name: 'Store 0042' },
      requested: new Date('2026-12-20T00:00:00Z'),
      lines: [
        { qty: 3, price: chair.price, ids: [['BP', buyerParts[chair.name]!]] },
        { qty: 2, price: lamp.price + 1, ids: [['UP', '040000123457']] },
      ],
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.status, 'accepted');
    assert.equal(sent.body.duplicate, false);
    assert.deepEqual(sent.body.orders, ['NH-PO-5001']);
    const isa13: string = sent.body.interchange;

    const ack = await eventually('the partner receives our 997', async () =>
      partner.received.find(
        (r) => r.kind === '997' && segmentsOf(r.interchange)[0]![2] === String(Number(isa13)),
      ),
    );
    assert.deepEqual(ack.problems, []);
    assert.deepEqual(segmentsOf(ack.interchange), [
      ['AK1', 'PO', String(Number(isa13))],
      ['AK2', '850', '0001'],
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]);

    const [order] = await eventually('the sale order is confirmed in Odoo', async () => {
      const found = await ordersWithRef('NH-PO-5001');
      return found[0]?.state === 'sale' && found;
    });
    assert.equal(order!.partner_id[0], customerId);
    assert.equal(order!.partner_shipping_id[0], shipToId);
    const lines = await h.rpc<
      { product_id: [number, string]; product_uom_qty: number; price_unit: number }[]
    >('sale.order.line', 'search_read', [[['order_id', '=', order!.id]]], {
      fields: ['product_id', 'product_uom_qty', 'price_unit'],
      order: 'id',
    });
    assert.deepEqual(
      lines.map((l) => [l.product_id[0], l.product_uom_qty, l.price_unit]),
      [
        [chair.id, 3, chair.price],
        [lamp.id, 2, lamp.price],
      ],
    );

    const po855 = await eventually('the partner receives our 855', async () =>
      partner.received.find(
        (r) => r.kind === '855' && segmentsOf(r.interchange)[0]![3] === 'NH-PO-5001',
      ),
    );
    assert.deepEqual(po855.problems, []);
    const body = segmentsOf(po855.interchange);
    assert.deepEqual(body[0]!.slice(0, 4), ['BAK', '00', 'AC', 'NH-PO-5001']);
    assert.equal(body[0]![8], order!.name);
    assert.deepEqual(
      body.filter((s) => s[0] === 'ACK'),
      [
        ['ACK', 'IA', '3', 'EA', '068', '20261220'],
        ['ACK', 'IP', '2', 'EA', '068', '20261220'],
      ],
    );
    assert.deepEqual(
      body.find((s) => s[0] === 'CTT'),
      ['CTT', '2'],
    );

    // The partner's translator answers the 855 with a 997; Crossdock matches it to the 855.
    const doc = await eventually('our 855 is marked acknowledged', async () =>
      (await listDocuments(h.crossdock.store.db, 'nordhafen')).find(
        (d) => d.transaction_set === '855' && d.reference === 'NH-PO-5001' && d.ack_status !== null,
      ),
    );
    assert.equal(doc.ack_status, 'accepted');
    assert.equal(doc.status, 'sent');
    assert.deepEqual(
      await eventually('its run completes', async () => {
        const runs = await runsOf('NH-PO-5001');
        return runs.every((r) => r === 'completed') && runs;
      }),
      ['completed'],
    );
  });

  test('the order in transit is announced by an 856, and once delivered invoiced by an 810 the partner acknowledges', async () => {
    const { partner, buyerParts } = h.edi;
    const [chair, desk] = [h.catalog.products[0]!, h.catalog.products[1]!];
    const sent = await partner.sendOrder({
      poNumber: 'NH-PO-5003',
      shipTo: { code: '0042', name: 'Store 0042' },
      lines: [
        { qty: 2, price: chair.price, ids: [['BP', buyerParts[chair.name]!]] },
        { qty: 1, price: desk.price, ids: [['BP', buyerParts[desk.name]!]] },
      ],
    });
    assert.equal(sent.body.status, 'accepted');
    const [order] = await eventually('the sale order is confirmed', async () => {
      const found = await ordersWithRef('NH-PO-5003');
      return found[0]?.state === 'sale' && found;
    });
    // The other packs take the confirmed order: release, dispatch, then the carrier's proof of delivery.
    const release = await h.runFor('order-release', order!.id, ['completed', 'failed']);
    assert.ok(h.path(release).includes('released'), h.path(release).join(' '));
    const dispatch = await h.runFor('dispatch', order!.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    const [picking] = await h.rpc<{ name: string }[]>(
      'stock.picking',
      'search_read',
      [
        [
          ['sale_id', '=', order!.id],
          ['picking_type_code', '=', 'outgoing'],
        ],
      ],
      { fields: ['name'] },
    );
    const booking = h.carriers.profiles.flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === picking!.name)
        .map((b) => ({ carrier: p.code, ...b })),
    )[0]!;
    // Picked up: in transit twice (two events); one 856.
    for (const location of ['Hamburg hub', 'Hannover hub'])
      await h.carriers.sendTracking(booking.carrier, {
        tracking_ref: booking.tracking_ref,
        status: 'in_transit',
        location,
      });
    const notice = await eventually('the partner receives our 856', async () =>
      partner.received.find(
        (r) => r.kind === '856' && segmentsOf(r.interchange)[0]![2] === picking!.name,
      ),
    );
    assert.deepEqual(notice.problems, []);
    const asn = segmentsOf(notice.interchange);
    const codeOf856 = async (id: number) =>
      (
        await h.rpc<{ default_code: string }[]>('product.product', 'read', [[id]], {
          fields: ['default_code'],
        })
      )[0]!.default_code;
    assert.deepEqual(asn.slice(1), [
      ['HL', '1', '', 'S'],
      ['TD5', 'B', 'ZZ', booking.carrier],
      ['REF', 'CN', booking.tracking_ref],
      ['DTM', '011', asn[0]![3]!],
      ['N1', 'ST', `${order!.partner_shipping_id[1]}`, '92', '0042'],
      ['HL', '2', '1', 'O'],
      ['PRF', 'NH-PO-5003'],
      ['HL', '3', '2', 'I'],
      ['LIN', '', 'BP', buyerParts[chair.name]!, 'VP', await codeOf856(chair.id)],
      ['SN1', '', '2', 'EA'],
      ['HL', '4', '2', 'I'],
      ['LIN', '', 'BP', buyerParts[desk.name]!, 'VP', await codeOf856(desk.id)],
      ['SN1', '', '1', 'EA'],
      ['CTT', '4'],
    ]);
    await h.carriers.sendTracking(booking.carrier, {
      tracking_ref: booking.tracking_ref,
      status: 'delivered',
      signed_by: 'K. Store',
      proof_ref: `https://pod.test/${booking.tracking_ref}.jpg`,
    });
    const invoice = await eventually('the partner receives our 810', async () =>
      partner.received.find(
        (r) => r.kind === '810' && segmentsOf(r.interchange)[0]![4] === 'NH-PO-5003',
      ),
    );
    assert.deepEqual(invoice.problems, []);
    const [posted] = await h.rpc<{ name: string; invoice_date: string; amount_total: number }[]>(
      'account.move',
      'search_read',
      [
        [
          ['invoice_origin', '=', order!.name],
          ['move_type', '=', 'out_invoice'],
          ['state', '=', 'posted'],
        ],
      ],
      { fields: ['name', 'invoice_date', 'amount_total'] },
    );
    const codes = await h.rpc<{ id: number; default_code: string }[]>(
      'product.product',
      'read',
      [[chair.id, desk.id]],
      {
        fields: ['default_code'],
      },
    );
    const codeOf = (id: number) => codes.find((c) => c.id === id)!.default_code;
    const body = segmentsOf(invoice.interchange);
    assert.deepEqual(body, [
      ['BIG', posted!.invoice_date.replaceAll('-', ''), posted!.name, '', 'NH-PO-5003'],
      ['REF', 'VN', order!.name],
      [
        'IT1',
        '1',
        '2',
        'EA',
        String(chair.price),
        '',
        'BP',
        buyerParts[chair.name]!,
        'VP',
        codeOf(chair.id),
      ],
      [
        'IT1',
        '2',
        '1',
        'EA',
        String(desk.price),
        '',
        'BP',
        buyerParts[desk.name]!,
        'VP',
        codeOf(desk.id),
      ],
      ['TDS', String(Math.round(posted!.amount_total * 100))],
      ['CTT', '2'],
    ]);
    await eventually('both in-transit reports went through edi-ship-notice', async () => {
      const runs = (
        await sql<{
          status: string;
        }>`SELECT status FROM runs WHERE workflow_id = 'edi-ship-notice' AND input->>'tracking_ref' = ${booking.tracking_ref}`.execute(
          h.crossdock.store.db,
        )
      ).rows;
      return runs.length === 2 && runs.every((r) => r.status === 'completed');
    });
    assert.equal(
      partner.received.filter(
        (r) => r.kind === '856' && segmentsOf(r.interchange)[0]![2] === picking!.name,
      ).length,
      1,
      'one ship notice for two in-transit reports',
    );
    const doc = await eventually('our 810 is marked acknowledged', async () =>
      (await listDocuments(h.crossdock.store.db, 'nordhafen')).find(
        (d) => d.transaction_set === '810' && d.reference === 'NH-PO-5003' && d.ack_status !== null,
      ),
    );
    assert.equal(doc.ack_status, 'accepted');
  });

  test('the same interchange twice gives one sale order and one 997', async () => {
    const { partner, buyerParts } = h.edi;
    const chair = h.catalog.products[0]!;
    const first = await partner.sendOrder({
      poNumber: 'NH-PO-5002',
      lines: [{ qty: 1, price: chair.price, ids: [['BP', buyerParts[chair.name]!]] }],
    });
    const again = await partner.send(first.text);
    assert.equal(first.body.duplicate, false);
    assert.equal(again.status, 200);
    assert.equal(again.body.duplicate, true);
    assert.equal(again.body.interchange, first.body.interchange);
    await eventually('the order is acknowledged', async () =>
      partner.received.find(
        (r) => r.kind === '855' && segmentsOf(r.interchange)[0]![3] === 'NH-PO-5002',
      ),
    );
    assert.deepEqual(
      await eventually('its run completes', async () => {
        const runs = await runsOf('NH-PO-5002');
        return runs.every((r) => r === 'completed') && runs;
      }),
      ['completed'],
    );
    assert.equal((await ordersWithRef('NH-PO-5002')).length, 1);
    const group = String(Number(first.body.interchange));
    assert.equal(
      partner.received.filter((r) => r.kind === '997' && segmentsOf(r.interchange)[0]![2] === group)
        .length,
      1,
    );
    assert.equal(
      partner.received.filter(
        (r) => r.kind === '855' && segmentsOf(r.interchange)[0]![3] === 'NH-PO-5002',
      ).length,
      1,
    );
  });

  test('a malformed 850 is rejected by a 997 naming the segment and element, and opens a case', async () => {
    const { partner, buyerParts } = h.edi;
    const text = writeSim(
      {
        senderId: 'NORDHAFENLOG',
        receiverId: 'CROSSDOCKDEMO',
        control: 777001,
        usage: 'T',
        version: '004010',
        at: new Date(),
      },
      'PO',
      '850',
      order850({
        poNumber: 'NH-PO-BAD',
        date: new Date(),
        lines: [{ qty: 1, ids: [['BP', buyerParts[h.catalog.products[0]!.name]!]] }],
      }).map((s) => (s[0] === 'PO1' ? ['PO1', '1', 'abc', 'EA', '', '', 'BP', s[7]!] : s)),
    );
    const sent = await partner.send(text);
    assert.equal(sent.status, 200);
    assert.equal(sent.body.status, 'rejected');
    assert.match(
      sent.body.rejected[0].location,
      /segment PO1 \(position 4 in transaction set 0001\), element PO102/,
    );

    const reject = await eventually('the partner receives the rejecting 997', async () =>
      partner.received.find(
        (r) => r.kind === '997' && segmentsOf(r.interchange)[0]![2] === '777001',
      ),
    );
    assert.deepEqual(segmentsOf(reject.interchange), [
      ['AK1', 'PO', '777001'],
      ['AK2', '850', '0001'],
      ['AK3', 'PO1', '4', '', '8'],
      ['AK4', '2', '', '6', 'abc'],
      ['AK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    const kase = await eventually(
      'a case is opened',
      async () =>
        (
          await sql<{
            title: string;
            status: string;
            owner_team: string;
          }>`SELECT title, status, owner_team FROM exception_cases WHERE error_code = 'EDI_DOCUMENT_REJECTED'`.execute(
            h.crossdock.store.db,
          )
        ).rows[0],
    );
    assert.equal(kase.status, 'open');
    assert.equal(kase.owner_team, 'edi');
    assert.match(
      kase.title,
      /interchange 000777001, set 0001\): segment PO1 \(position 4 .*element PO102: PO102: "abc" is not a quantity above zero/,
    );
    assert.deepEqual(await ordersWithRef('NH-PO-BAD'), []);
    assert.deepEqual(await runsOf('NH-PO-BAD'), []);
  });

  test('the door refuses a bad signature and a misaddressed interchange; a wrong envelope gets a TA1 and nothing else', async () => {
    const { partner, buyerParts } = h.edi;
    const db = h.crossdock.store.db;
    const chair = h.catalog.products[0]!;
    // The interchanges this test sends (ISA13 888001 and 888002): a 997 for an earlier order may
    // still arrive meanwhile, so only these are counted.
    const refusedStored = async () =>
      (
        await db
          .selectFrom('edi_interchanges')
          .select('id')
          .where('control', 'in', ['000888001', '000888002'])
          .execute()
      ).length;
    const order = (po: string) =>
      order850({
        poNumber: po,
        date: new Date(),
        lines: [{ qty: 1, ids: [['BP', buyerParts[chair.name]!]] }],
      });
    const envelope = (control: number, receiverId = 'CROSSDOCKDEMO') =>
      ({
        senderId: 'NORDHAFENLOG',
        receiverId,
        control,
        usage: 'T',
        version: '004010',
        at: new Date(),
      }) as const;

    const forged = await partner.send(
      writeSim(envelope(888001), 'PO', '850', order('NH-PO-FORGED')),
      {
        badSignature: true,
      },
    );
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error.code, 'HOOK_SIGNATURE_INVALID');
    const misaddressed = await partner.send(
      writeSim(envelope(888002, 'SOMEONEELSE'), 'PO', '850', order('NH-PO-ELSEWHERE')),
    );
    assert.equal(misaddressed.status, 400);
    assert.equal(misaddressed.body.error.code, 'EDI_INTERCHANGE_MISADDRESSED');
    assert.match(
      misaddressed.body.error.message,
      /ISA07\/08 is ZZ:SOMEONEELSE, we are ZZ:CROSSDOCKDEMO/,
    );
    assert.equal(await refusedStored(), 0, 'neither refused interchange is stored');

    const wrongTrailer = writeSim(envelope(888003), 'PO', '850', order('NH-PO-TRAILER')).replace(
      'IEA*1*000888003',
      'IEA*1*000888004',
    );
    const sent = await partner.send(wrongTrailer);
    assert.equal(sent.status, 200);
    assert.equal(sent.body.status, 'rejected');
    assert.deepEqual(
      sent.body.replies.map((r: { transactionSet: string }) => r.transactionSet),
      ['TA1'],
    );
    const ta1 = await eventually('the partner receives a TA1', async () =>
      partner.received.find(
        (r) => r.kind === 'TA1' && r.interchange.loose[0]!.el[0] === '000888003',
      ),
    );
    assert.deepEqual(ta1.interchange.loose[0]!.el.slice(3), ['R', '001']);
    assert.equal(ta1.interchange.groups.length, 0);
    const kase = await eventually(
      'a case names the IEA',
      async () =>
        (
          await sql<{
            title: string;
          }>`SELECT title FROM exception_cases WHERE error_code = 'EDI_DOCUMENT_REJECTED' AND title LIKE '%000888003%'`.execute(
            db,
          )
        ).rows[0],
    );
    assert.match(kase.title, /element IEA02: IEA02 "000888004" does not match ISA13 "000888003"/);
    assert.deepEqual(await ordersWithRef('NH-PO-TRAILER'), []);
    assert.equal(
      partner.received.filter(
        (r) => r.kind === '997' && segmentsOf(r.interchange)[0]![2] === '888003',
      ).length,
      0,
    );
  });

  // Last: it moves the clock a day ahead.
  test('a document the partner does not acknowledge within its window opens a case, once', async () => {
    const { partner, buyerParts } = h.edi;
    const chair = h.catalog.products[0]!;
    partner.setAutoAck(false);
    await partner.sendOrder({
      poNumber: 'NH-PO-5004',
      lines: [{ qty: 1, price: chair.price, ids: [['BP', buyerParts[chair.name]!]] }],
    });
    await eventually('the partner receives the 855', async () =>
      partner.received.find(
        (r) => r.kind === '855' && segmentsOf(r.interchange)[0]![3] === 'NH-PO-5004',
      ),
    );
    // The window counts from when Crossdock recorded the 855 as sent, which can come a moment
    // after the partner has it: the test clock moves only once it is recorded.
    await eventually('our 855 is recorded as sent', async () =>
      (await listDocuments(h.crossdock.store.db, 'nordhafen')).find(
        (d) => d.transaction_set === '855' && d.reference === 'NH-PO-5004' && d.status === 'sent',
      ),
    );
    const db = h.crossdock.store.db;
    const overdueCases = async () =>
      (
        await sql<{
          title: string;
        }>`SELECT title FROM exception_cases WHERE error_code = 'EDI_ACK_OVERDUE'`.execute(db)
      ).rows.map((r) => r.title);
    const edi = h.crossdock.edi!;
    // The dispatcher sweeps by itself; the test sweeps too, at the times it sets.
    const sweep = () =>
      sweepOverdueAcks({
        db,
        partners: edi.partners,
        now: clock.now(),
        accept: (event) => h.crossdock.engine.accept(event, 'edi'),
      });
    clock.advance(23 * HOUR);
    await sweep();
    assert.deepEqual(await overdueCases(), [], 'not within the 24 h window');
    clock.advance(2 * HOUR);
    await sweep();
    // The case's run starts behind every schedule the 25-hour jump of the test clock made due.
    const [title] = await eventually(
      'a case for the missing 997',
      async () => {
        const titles = await overdueCases();
        return titles.length > 0 && titles;
      },
      180_000,
    );
    assert.match(
      title!,
      /^No 997 from .* for our 855 NH-PO-5004 \(interchange \d{9}\) within 24 h$/,
    );
    clock.advance(2 * HOUR);
    await sweep();
    assert.equal(
      (await overdueCases()).length,
      1,
      'one case per document; acknowledged documents have none',
    );
  });
});
