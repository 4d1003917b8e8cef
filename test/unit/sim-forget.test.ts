/**
 * The simulated Odoo of a demo left running forgets old documents when told to (and only
 * then): an order created before the cutoff goes with its lines, delivery, stock moves and
 * chatter; a later order, the customers and the products stay and read as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedDemo } from '../../src/demo/seed.ts';
import { OrderTraffic } from '../../src/demo/traffic.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';

const MINUTE = 60_000;

type Order = { id: number; name: string };

/** How many of each kind of record an order has in the simulated Odoo. */
function documentsOf(odoo: OdooSimulator, order: Order) {
  const count = (model: string, domain: unknown[]) => odoo.db.searchRead(model, domain).length;
  return {
    orders: count('sale.order', [['id', '=', order.id]]),
    lines: count('sale.order.line', [['order_id', '=', order.id]]),
    deliveries: count('stock.picking', [['origin', '=', order.name]]),
    moves: count('stock.move', [['origin', '=', order.name]]),
    messages: count('mail.message', [
      ['model', '=', 'sale.order'],
      ['res_id', '=', order.id],
    ]),
  };
}

test('the Odoo simulator forgets the documents created before a cutoff only when told to', async () => {
  let now = Date.parse('2026-12-06T08:00:00Z');
  const odoo = await startOdooSimulator({ clock: () => new Date(now) });
  try {
    const catalog = await seedDemo(odoo, { today: new Date(now) });
    const traffic = new OrderTraffic(odoo, catalog, 7);
    now += MINUTE; // the seed's documents are older than the window, and stay
    const since = new Date(now);
    const old = await traffic.place('routine');
    now += 20 * MINUTE;
    const recent = await traffic.place('routine');
    const count = (model: string, domain: unknown[]) => odoo.db.searchRead(model, domain).length;
    const documents = (order: Order) => documentsOf(odoo, order);
    const oldBefore = documents(old);
    assert.ok(
      Object.values(oldBefore).every((n) => n > 0),
      `the old order has every kind of record: ${JSON.stringify(oldBefore)}`,
    );
    const recentBefore = documents(recent);
    const partners = count('res.partner', []);
    const products = count('product.product', []);

    now += 60 * MINUTE; // time alone forgets nothing
    assert.deepEqual(documents(old), oldBefore);
    // A note written on the old order now, after the cutoff, hangs on it: it goes with it.
    await odoo.db.call('sale.order', 'message_post', [[old.id]], { body: 'late note' });
    assert.equal(documents(old).messages, oldBefore.messages + 1);

    const forgotten = odoo.db.forget(since, new Date(Date.parse('2026-12-06T08:10:00Z')));
    assert.equal(forgotten['sale.order'], 1, 'the seed data stays');
    assert.deepEqual(documents(old), { orders: 0, lines: 0, deliveries: 0, moves: 0, messages: 0 });
    assert.deepEqual(documents(recent), recentBefore);
    assert.equal(count('res.partner', []), partners);
    assert.equal(count('product.product', []), products);
    // The recent order still reads and works in full: its delivery can be validated.
    const [delivery] = odoo.db.searchRead('stock.picking', [['origin', '=', recent.name]], ['id']);
    await odoo.db.call('stock.picking', 'read', [[delivery!.id], ['state', 'move_ids']]);
  } finally {
    await odoo.close();
  }
});

test('documents a caller keeps stay however old, with every document linked to them', async () => {
  let now = Date.parse('2026-12-06T08:00:00Z');
  const odoo = await startOdooSimulator({ clock: () => new Date(now) });
  try {
    const catalog = await seedDemo(odoo, { today: new Date(now) });
    const traffic = new OrderTraffic(odoo, catalog, 7);
    now += MINUTE;
    const since = new Date(now);
    const byName = await traffic.place('routine');
    const byId = await traffic.place('routine');
    const neither = await traffic.place('routine');
    now += 20 * MINUTE;
    const [delivery] = odoo.db.searchRead('stock.picking', [['origin', '=', byId.name]], ['id']);
    const documents = (order: Order) => documentsOf(odoo, order);
    const keptBefore = [documents(byName), documents(byId)];

    // One order is named; of the other, only its delivery's id is given (as a run's picking_id).
    odoo.db.forget(since, new Date(now), {
      names: new Set([byName.name, 'webshop']),
      ids: new Map([['stock.picking', new Set([Number(delivery!.id)])]]),
    });
    assert.deepEqual([documents(byName), documents(byId)], keptBefore);
    assert.deepEqual(documents(neither), {
      orders: 0,
      lines: 0,
      deliveries: 0,
      moves: 0,
      messages: 0,
    });
  } finally {
    await odoo.close();
  }
});
