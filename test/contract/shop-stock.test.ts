/**
 * Shop stock levels on the store under test, pushed to the shop simulator on 127.0.0.1: a
 * level read from an older Odoo state never replaces a newer one; a level stored while its
 * push is in flight stays due and goes next; through forced 429s the shop ends showing the
 * newest levels, the pusher waiting each Retry-After; a refused token leaves the levels due;
 * a 429 one pusher meets makes another pusher (on PostgreSQL: its own connection pool, as a
 * second process has) wait as well.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createShopIntegration,
  listLevels,
  parseShops,
  queueLevels,
  StockPusher,
  type Shop,
} from '../../src/connectors/shop/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startShopSimulator, type ShopSimulator } from '../../sim/shop/index.ts';
import { eventually } from '../support/eventually.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const LOCATION = 'gid://shop/Location/1';
const TOKEN = 'shpat_0123456789abcdef0123';

function shopFor(
  url: string,
  code: string,
  tokenEnv = 'TOKEN',
  stock: unknown = { odoo_location_id: 8, shop_location_id: LOCATION },
): Shop {
  return parseShops(
    {
      shops: [
        {
          code,
          name: code,
          webhook: { secret_env: 'HOOK' },
          api: { url, token_env: tokenEnv },
          stock,
        },
      ],
    },
    { HOOK: 'hook-secret-0123456789', TOKEN, WRONG: 'shpat_not-the-token-0000' },
  )[0]!;
}

describe('shop stock levels', () => {
  let store: TestStore;
  let sim: ShopSimulator;
  const db = () => store.store.db;
  const now = () => new Date();

  before(async () => {
    store = await openTestStore();
    sim = await startShopSimulator({
      webhookSecret: 'hook-secret-0123456789',
      accessToken: TOKEN,
      bucketSize: 2,
      leakPerSecond: 2,
    });
  });
  after(async () => {
    await sim.close();
    await store.dispose();
  });

  test('an older read never replaces a newer level; the same state read again changes nothing', async () => {
    await queueLevels(
      db(),
      'a',
      LOCATION,
      [{ sku: 'CHAIR', available: 5, version: '2026-12-05 10:00:02' }],
      now(),
    );
    assert.equal(
      await queueLevels(
        db(),
        'a',
        LOCATION,
        [{ sku: 'CHAIR', available: 9, version: '2026-12-05 10:00:01' }],
        now(),
      ),
      0,
    );
    assert.equal(
      await queueLevels(
        db(),
        'a',
        LOCATION,
        [{ sku: 'CHAIR', available: 5, version: '2026-12-05 10:00:02' }],
        now(),
      ),
      0,
    );
    assert.equal(
      await queueLevels(
        db(),
        'a',
        LOCATION,
        [{ sku: 'CHAIR', available: 4, version: '2026-12-05 10:00:03' }],
        now(),
      ),
      1,
    );
    let [level] = await listLevels(db(), 'a');
    assert.deepEqual(
      [level!.available, level!.version, level!.pushed_available],
      [4, '2026-12-05 10:00:03', null],
    );
    // Odoo wrote the quant again without changing the quantity; a read from between the two
    // writes, arriving late, still loses.
    assert.equal(
      await queueLevels(
        db(),
        'a',
        LOCATION,
        [{ sku: 'CHAIR', available: 4, version: '2026-12-05 10:00:05' }],
        now(),
      ),
      1,
    );
    assert.equal(
      await queueLevels(
        db(),
        'a',
        LOCATION,
        [{ sku: 'CHAIR', available: 8, version: '2026-12-05 10:00:04' }],
        now(),
      ),
      0,
    );
    [level] = await listLevels(db(), 'a');
    assert.deepEqual([level!.available, level!.version], [4, '2026-12-05 10:00:05']);
  });

  test('through forced 429s the shop ends showing the newest levels, each Retry-After waited, none lost', async () => {
    const shop = shopFor(sim.url, 'b');
    const pusher = new StockPusher({
      db: db(),
      clock: { now },
      logger: silentLogger(),
      shops: [shop],
      pollIntervalMs: 50,
    });
    const skus = Array.from({ length: 120 }, (_, i) => `SKU-${String(i).padStart(3, '0')}`);
    await queueLevels(
      db(),
      'b',
      LOCATION,
      skus.map((sku, i) => ({ sku, available: i, version: '2026-12-05 10:00:00' })),
      now(),
    );
    const calls = sim.calls.length;
    sim.throttleNext(2, 1);
    pusher.start();
    try {
      // While the shop refuses, Odoo moves on: newer levels for some SKUs, an older read for another.
      await eventually('the first 429', async () =>
        sim.calls.slice(calls).some((c) => c.status === 429),
      );
      await queueLevels(
        db(),
        'b',
        LOCATION,
        [
          { sku: 'SKU-000', available: 77, version: '2026-12-05 10:05:00' },
          { sku: 'SKU-119', available: 3, version: '2026-12-05 10:05:00' },
        ],
        now(),
      );
      await queueLevels(
        db(),
        'b',
        LOCATION,
        [{ sku: 'SKU-000', available: 1, version: '2026-12-05 09:59:00' }],
        now(),
      );
      pusher.wake();
      const want = new Map(skus.map((sku, i) => [sku, i]));
      want.set('SKU-000', 77);
      want.set('SKU-119', 3);
      await eventually(
        'the shop shows every newest level and nothing is due',
        async () => {
          const levels = await listLevels(db(), 'b');
          return (
            skus.every((sku) => sim.inventory.get(`${LOCATION}:${sku}`) === want.get(sku)) &&
            levels.every((l) => l.pushed_available === l.available)
          );
        },
        30_000,
      );
    } finally {
      await pusher.stop();
    }
    const during = sim.calls.slice(calls);
    const throttled = during.filter((c) => c.status === 429);
    assert.ok(throttled.length >= 2, `${throttled.length} 429s`);
    for (let i = 0; i < during.length - 1; i++)
      if (during[i]!.status === 429)
        assert.ok(
          during[i + 1]!.at.getTime() - during[i]!.at.getTime() >= 950,
          'Retry-After waited',
        );
    assert.ok(
      during.every((c) => c.levels.length <= 50),
      'batches of 50 at most',
    );
  });

  test('a refused token leaves the levels due, with the error on them', async () => {
    const shop = shopFor(sim.url, 'c', 'WRONG');
    const pusher = new StockPusher({
      db: db(),
      clock: { now },
      logger: silentLogger(),
      shops: [shop],
      pollIntervalMs: 50,
    });
    await queueLevels(
      db(),
      'c',
      LOCATION,
      [{ sku: 'DESK', available: 2, version: '2026-12-05 10:00:00' }],
      now(),
    );
    assert.equal(await pusher.runOnce(), 0);
    const [level] = await listLevels(db(), 'c');
    assert.equal(level!.pushed_available, null);
    assert.match(level!.last_error!, /^SHOP_PUSH_REJECTED: shop c .* refused the levels: HTTP 401/);
    assert.ok(
      level!.next_attempt_at.getTime() > Date.now() + 60_000,
      'tried again later, not at once',
    );
    assert.equal(sim.inventory.has(`${LOCATION}:DESK`), false);
  });

  test('a 429 one pusher meets holds every pusher of that shop until its Retry-After, then they go on', async () => {
    // A shop of its own with room in its bucket: only the forced 429 refuses.
    const own = await startShopSimulator({
      webhookSecret: 'hook-secret-0123456789',
      accessToken: TOKEN,
      bucketSize: 40,
      leakPerSecond: 2,
    });
    // A second instance: on PostgreSQL its own pool, as another worker process has; PGlite
    // belongs to one process, so there both pushers share it.
    const second: Store =
      store.connection.kind === 'postgres'
        ? await openStore({ kind: 'postgres', url: store.connection.url, poolSize: 2 })
        : store.store;
    try {
      const shop = shopFor(own.url, 'd');
      const t0 = new Date();
      const pusherAt = (at: Date, on: Store) =>
        new StockPusher({
          db: on.db,
          clock: { now: () => at },
          logger: silentLogger(),
          shops: [shop],
          pollIntervalMs: 50,
        });
      const skus = Array.from({ length: 100 }, (_, i) => `SKU-${String(i).padStart(3, '0')}`);
      await queueLevels(
        db(),
        'd',
        LOCATION,
        skus.map((sku, i) => ({ sku, available: i, version: '2026-12-05 10:00:00' })),
        t0,
      );
      own.throttleNext(1, 2);
      assert.equal(await pusherAt(t0, store.store).runOnce(), 0);
      assert.deepEqual(
        own.calls.map((c) => [c.status, c.levels.length]),
        [[429, 50]],
      );
      const [pause] = await second.db
        .selectFrom('shop_push_pauses')
        .selectAll()
        .where('shop', '=', 'd')
        .execute();
      assert.equal(pause!.reason, 'SHOP_PUSH_UNAVAILABLE');
      const notBefore = new Date(pause!.not_before);
      assert.ok(notBefore.getTime() >= t0.getTime() + 2_000, 'at least the Retry-After');

      // One second on, the other instance has 50 levels due it never tried: it does not call.
      assert.equal(await pusherAt(new Date(t0.getTime() + 1_000), second).runOnce(), 0);
      assert.equal(own.calls.length, 1, 'no call while the shop asked to wait');
      const untried = (await listLevels(db(), 'd')).filter((l) => l.attempts === 0);
      assert.equal(untried.length, 50);

      // Past the pause, it sends everything.
      assert.equal(await pusherAt(new Date(notBefore.getTime() + 1), second).runOnce(), 100);
      assert.deepEqual(
        own.calls.map((c) => c.status),
        [429, 200, 200],
      );
      assert.ok(skus.every((sku, i) => own.inventory.get(`${LOCATION}:${sku}`) === i));
    } finally {
      if (second !== store.store) await second.close();
      await own.close();
    }
  });

  test('a shop with two locations: each (SKU, location) has its own level from its own Odoo location, the newest read of each winning', async () => {
    const OUTLET = 'gid://shop/Location/2';
    const shop = shopFor(sim.url, 'e', 'TOKEN', [
      { odoo_location_id: 8, shop_location_id: LOCATION },
      { odoo_location_id: 20, shop_location_id: OUTLET },
    ]);
    const shops = createShopIntegration([shop], {
      db: db(),
      clock: { now },
      logger: silentLogger(),
      accept: () => Promise.reject(new Error('no webhook in this test')),
      pollIntervalMs: 50,
    });
    const queue = shops.steps.find((t) => t.type === 'shop.queue_stock')!;
    const locate = shops.steps.find((t) => t.type === 'shop.stock_locations')!;
    assert.deepEqual(
      ((await locate.execute({} as never, {})) as { output: { location_ids: number[] } }).output
        .location_ids,
      [8, 20],
    );
    const locations = [
      { id: 8, location_id: [7, 'WH'] },
      { id: 20, location_id: [7, 'WH'] },
      { id: 21, location_id: [20, 'WH/Outlet'] },
    ];
    const products = [
      { id: 1, default_code: 'CHAIR' },
      { id: 2, default_code: 'DESK' },
    ];
    const quant = (product: number, location: number, quantity: number, at: string) => ({
      product_id: [product, 'p'],
      location_id: [location, 'l'],
      quantity,
      reserved_quantity: 0,
      write_date: at,
    });
    const read = (quants: unknown[]) => queue.execute({} as never, { quants, locations, products });
    await read([
      quant(1, 8, 5, '2026-12-05 10:00:00'),
      quant(1, 20, 3, '2026-12-05 10:00:00'),
      quant(2, 21, 2, '2026-12-05 10:00:00'),
    ]);
    // A newer read in which only the outlet's chair moved; then an older read of everything.
    await read([
      quant(1, 8, 5, '2026-12-05 10:00:00'),
      quant(1, 20, 1, '2026-12-05 10:10:00'),
      quant(2, 21, 2, '2026-12-05 10:00:00'),
    ]);
    await read([quant(1, 8, 9, '2026-12-05 09:00:00'), quant(1, 20, 9, '2026-12-05 09:00:00')]);
    const levels = (await listLevels(db(), 'e')).map((l) => [l.location, l.sku, l.available]);
    assert.deepEqual(levels, [
      [LOCATION, 'CHAIR', 5],
      [LOCATION, 'DESK', 0],
      [OUTLET, 'CHAIR', 1],
      [OUTLET, 'DESK', 2],
    ]);
    await eventually('the shop shows each location its own levels', async () => {
      await shops.pusher.runOnce();
      return (
        sim.inventory.get(`${LOCATION}:CHAIR`) === 5 &&
        sim.inventory.get(`${LOCATION}:DESK`) === 0 &&
        sim.inventory.get(`${OUTLET}:CHAIR`) === 1 &&
        sim.inventory.get(`${OUTLET}:DESK`) === 2
      );
    });
  });
});
