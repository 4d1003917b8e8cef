/**
 * The EDI orders pack over a partner's mailbox folder, and what an EDI coordinator needs
 * around it, on the demo's simulators: an 850 file dropped in the inbox becomes a confirmed
 * sale order, with the 997 and the 855 written into the outbox; two partners using the same
 * PO number get a sale order each; a document the partner refuses opens a case whose action
 * sends it again.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { listDocuments } from '../../src/connectors/edi/index.ts';
import type { CollectedFile } from '../../sim/edi/index.ts';
import { JumpingClock, eventually, packHarness, type PackHarness } from './support.ts';
import { segmentsOf } from './edi-support.ts';

describe('EDI orders through a mailbox folder', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  before(async () => {
    h = await packHarness({ clock });
  });
  after(async () => {
    await h?.close();
  });

  const ordersWithRef = (ref: string) =>
    h.rpc<{ id: number; name: string; state: string; partner_id: [number, string] }[]>(
      'sale.order',
      'search_read',
      [[['client_order_ref', '=', ref]]],
      { fields: ['name', 'state', 'partner_id'], order: 'id' },
    );
  const outboxFile = (find: (f: CollectedFile) => boolean, what: string) =>
    eventually(what, async () => h.edi.folder.partner.collect().find(find));

  test('an 850 file in the inbox becomes a confirmed sale order; the 997 and the 855 are files in the outbox', async () => {
    const { partner, customerId, buyerParts } = h.edi.folder;
    const chair = h.catalog.products[0]!;
    const dropped = partner.dropOrder({
      poNumber: 'WB-PO-7001',
      lines: [{ qty: 4, price: chair.price, ids: [['BP', buyerParts[chair.name]!]] }],
    });
    const [order] = await eventually('the sale order is confirmed in Odoo', async () => {
      const found = await ordersWithRef('WB-PO-7001');
      return found[0]?.state === 'sale' && found;
    });
    assert.equal(order!.partner_id[0], customerId);
    const ack = await outboxFile(
      (f) => f.kind === '997' && segmentsOf(f.interchange)[0]![2] === String(dropped.control),
      'the 997 file',
    );
    assert.deepEqual(segmentsOf(ack.interchange).slice(-2), [
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]);
    const po855 = await outboxFile(
      (f) => f.kind === '855' && segmentsOf(f.interchange)[0]![3] === 'WB-PO-7001',
      'the 855 file',
    );
    assert.match(po855.name, /^\d{9}\.855\.x12$/);
    assert.equal(po855.interchange.receiverId, 'WESTFALENBAU');
    const body = segmentsOf(po855.interchange);
    assert.deepEqual(body[0]!.slice(0, 4), ['BAK', '00', 'AD', 'WB-PO-7001']);
    assert.equal(body[0]![8], order!.name);
    assert.deepEqual(
      body.filter((s) => s[0] === 'ACK'),
      [['ACK', 'IA', '4', 'EA']],
    );
    const inbox = partner.inbox;
    assert.deepEqual(readdirSync(inbox), [], 'the inbox is empty');
    assert.ok(
      readdirSync(join(dirname(inbox), 'archive')).some((n) => n.endsWith(dropped.name)),
      'the file is archived',
    );
  });

  test('a line beyond the free quantity is acknowledged in part and backordered (IB); the sale order takes it whole', async () => {
    // The first order's release and dispatch are done first: the 855 is checked against the free
    // quantity read here.
    await h.settled();
    const { partner, buyerParts } = h.edi.folder;
    const product = h.catalog.products[2]!;
    const [read] = await h.rpc<{ free_qty: number }[]>('product.product', 'read', [[product.id]], {
      fields: ['free_qty'],
    });
    const free = Math.floor(read!.free_qty);
    assert.ok(free > 0, `${product.name} has free stock in the demo`);
    partner.dropOrder({
      poNumber: 'WB-PO-7002',
      lines: [{ qty: free + 5, price: product.price, ids: [['BP', buyerParts[product.name]!]] }],
    });
    const [order] = await eventually('the sale order is confirmed', async () => {
      const found = await ordersWithRef('WB-PO-7002');
      return found[0]?.state === 'sale' && found;
    });
    const lines = await h.rpc<{ product_uom_qty: number }[]>(
      'sale.order.line',
      'search_read',
      [[['order_id', '=', order!.id]]],
      { fields: ['product_uom_qty'] },
    );
    assert.deepEqual(
      lines.map((l) => l.product_uom_qty),
      [free + 5],
    );
    const po855 = await outboxFile(
      (f) => f.kind === '855' && segmentsOf(f.interchange)[0]![3] === 'WB-PO-7002',
      'the 855 file',
    );
    const body = segmentsOf(po855.interchange);
    assert.deepEqual(body[0]!.slice(0, 3), ['BAK', '00', 'AC']);
    assert.deepEqual(
      body.filter((s) => s[0] === 'ACK'),
      [
        ['ACK', 'IA', String(free), 'EA'],
        ['ACK', 'IB', '5', 'EA'],
      ],
    );
  });

  test('two partners sending the same PO number get a sale order each; a resend finds its own', async () => {
    const chair = h.catalog.products[0]!;
    const http = h.edi;
    const folder = h.edi.folder;
    const first = await http.partner.sendOrder({
      poNumber: '4500001',
      lines: [{ qty: 1, price: chair.price, ids: [['BP', http.buyerParts[chair.name]!]] }],
    });
    assert.equal(first.body.status, 'accepted');
    folder.partner.dropOrder({
      poNumber: '4500001',
      lines: [{ qty: 2, price: chair.price, ids: [['BP', folder.buyerParts[chair.name]!]] }],
    });
    const both = await eventually('two confirmed sale orders', async () => {
      const found = await ordersWithRef('4500001');
      return found.length === 2 && found.every((o) => o.state === 'sale') && found;
    });
    assert.deepEqual(
      both.map((o) => o.partner_id[0]).sort(),
      [http.customerId, folder.customerId].sort(),
    );

    // The first partner sends the PO again (a new interchange): it finds its own order.
    const again = await http.partner.sendOrder({
      poNumber: '4500001',
      lines: [{ qty: 1, price: chair.price, ids: [['BP', http.buyerParts[chair.name]!]] }],
    });
    assert.equal(again.body.duplicate, false);
    await eventually('both runs of partner A completed', async () => {
      const runs = (
        await sql<{
          status: string;
        }>`SELECT status FROM runs WHERE workflow_id = 'edi-purchase-order'
          AND input->>'po_number' = '4500001' AND input->>'partner' = 'nordhafen'`.execute(
          h.crossdock.store.db,
        )
      ).rows;
      return runs.length === 2 && runs.every((r) => r.status === 'completed');
    });
    const after = await ordersWithRef('4500001');
    assert.deepEqual(
      after.map((o) => o.id),
      both.map((o) => o.id),
      'still two sale orders',
    );
    const acks = await eventually('two 855s to partner A name the same order', async () => {
      const found = http.partner.received.filter(
        (r) => r.kind === '855' && segmentsOf(r.interchange)[0]![3] === '4500001',
      );
      return found.length === 2 && found;
    });
    const ours = both.find((o) => o.partner_id[0] === http.customerId)!;
    assert.deepEqual(
      acks.map((a) => segmentsOf(a.interchange)[0]![8]),
      [ours.name, ours.name],
    );
  });

  test('a file in the inbox that is not an interchange goes to the error folder and opens a case', async () => {
    const { partner } = h.edi.folder;
    partner.drop('ORDERS_NOV.csv', 'po;item;qty\n4500009;WB-7001;3\n');
    const kase = await eventually(
      'a case names the file',
      async () =>
        (
          await sql<{ title: string; owner_team: string }>`
            SELECT title, owner_team FROM exception_cases WHERE error_code = 'EDI_FILE_REJECTED'`.execute(
            h.crossdock.store.db,
          )
        ).rows[0],
    );
    assert.equal(kase.owner_team, 'edi');
    assert.match(kase.title, /^EDI file ORDERS_NOV\.csv from .+ could not be read: .*ISA/);
    const errors = join(dirname(partner.inbox), 'error');
    assert.ok(readdirSync(errors).some((n) => n.endsWith('-ORDERS_NOV.csv')));
    assert.deepEqual(readdirSync(partner.inbox), []);
  });

  test('a document the partner refuses opens a case for the EDI coordinator; its action sends it again', async () => {
    const { partner, buyerParts } = h.edi;
    const chair = h.catalog.products[0]!;
    partner.failNext(1, 400); // the 997 of the next order is refused
    const sent = await partner.sendOrder({
      poNumber: 'NH-PO-6001',
      lines: [{ qty: 1, price: chair.price, ids: [['BP', buyerParts[chair.name]!]] }],
    });
    const isa13: string = sent.body.interchange;
    const db = h.crossdock.store.db;
    const refused = await eventually('the 997 is failed', async () =>
      (await listDocuments(db, 'nordhafen')).find(
        (d) => d.transaction_set === '997' && d.reference?.endsWith(isa13) && d.status === 'failed',
      ),
    );
    const kase = await eventually(
      'a case for the coordinator',
      async () =>
        (
          await sql<{ id: string; title: string; owner_team: string; status: string }>`
            SELECT id, title, owner_team, status FROM exception_cases
             WHERE error_code = 'EDI_DOCUMENT_UNDELIVERABLE' AND subject->>'id' = ${String(refused.id)}`.execute(
            db,
          )
        ).rows[0],
      60_000,
    );
    const control = String(refused.interchange_control).padStart(9, '0');
    assert.equal(kase.owner_team, 'edi');
    assert.equal(
      kase.title,
      `Our 997 group ${Number(isa13)} of interchange ${isa13} to ${h.catalog.customers.find((c) => c.id === h.edi.customerId)!.name} (interchange ${control}) was not delivered: refused: partner nordhafen (127.0.0.1:${new URL(partner.url).port}) refused the document: HTTP 400`,
    );
    const operator = { actor: 'user:5 erik.edi@demo.crossdock.test' };
    const view = await h.crossdock.services.exceptions.show(String(kase.id));
    assert.deepEqual(view.actions, ['resend']);

    await h.crossdock.services.exceptions.act(String(kase.id), 'resend', null, operator, {});
    const delivered = await eventually('the partner receives the 997 again', async () =>
      partner.received.find((r) => r.kind === '997' && r.interchange.control === control),
    );
    assert.deepEqual(delivered.problems, []);
    const closed = await eventually('the case is resolved', async () => {
      const row = await h.crossdock.services.exceptions.show(String(kase.id));
      return row.status === 'resolved' && row;
    });
    assert.equal(closed.reasonCode, 'handled_manually');
    const doc = await eventually('the 997 is sent', async () =>
      (await listDocuments(db, 'nordhafen')).find(
        (d) => d.id === refused.id && d.status === 'sent',
      ),
    );
    assert.equal(doc.attempts, 1, 'a fresh count of attempts');
  });
});
