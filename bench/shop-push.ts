/**
 * Stock levels pushed to a shop under its rate limit: N SKUs queued at once, then a newer
 * level for a tenth of them while the shop answers 429s, pushed by the StockPusher to the shop
 * simulator (leaky bucket of 40 calls draining 2 a second, the common platforms' REST limit),
 * with the first `THROTTLED` calls forced to 429 (Retry-After 1 s). Prints the time until the
 * shop shows every newest level, the calls made and the 429s met. The store is the one under
 * test (PGlite, or CROSSDOCK_TEST_STORE=postgres).
 *
 *   node --import tsx bench/shop-push.ts 2000 3
 */
import { parseShops, queueLevels, StockPusher } from '../src/connectors/shop/index.ts';
import { silentLogger } from '../src/observability/index.ts';
import { startShopSimulator } from '../sim/shop/index.ts';
import { openTestStore } from '../test/support/stores.ts';

const skusCount = Number(process.argv[2] ?? 2000);
const throttled = Number(process.argv[3] ?? 3);
const LOCATION = 'gid://shop/Location/1';
const TOKEN = 'shpat_bench-0123456789abcdef';

const store = await openTestStore();
const sim = await startShopSimulator({
  webhookSecret: 'bench-hook-secret-0123',
  accessToken: TOKEN,
});
try {
  const [shop] = parseShops(
    {
      shops: [
        {
          code: 'bench',
          name: 'bench',
          webhook: { secret_env: 'HOOK' },
          api: { url: sim.url, token_env: 'TOKEN' },
          stock: { odoo_location_id: 8, shop_location_id: LOCATION },
        },
      ],
    },
    { HOOK: 'bench-hook-secret-0123', TOKEN },
  );
  const db = store.store.db;
  const skus = Array.from({ length: skusCount }, (_, i) => `SKU-${String(i).padStart(5, '0')}`);
  const want = new Map(skus.map((sku, i) => [sku, i % 500]));
  const started = performance.now();
  await queueLevels(
    db,
    'bench',
    LOCATION,
    skus.map((sku) => ({ sku, available: want.get(sku)!, version: '2026-12-06 10:00:00' })),
    new Date(),
  );
  const queuedMs = performance.now() - started;
  sim.throttleNext(throttled, 1);
  const pusher = new StockPusher({
    db,
    clock: { now: () => new Date() },
    logger: silentLogger(),
    shops: [shop!],
    pollIntervalMs: 100,
  });
  pusher.start();
  // Odoo moves on while the shop refuses: a newer level for every tenth SKU.
  const newer = skus.filter((_, i) => i % 10 === 0);
  for (const sku of newer) want.set(sku, want.get(sku)! + 1000);
  await queueLevels(
    db,
    'bench',
    LOCATION,
    newer.map((sku) => ({ sku, available: want.get(sku)!, version: '2026-12-06 10:05:00' })),
    new Date(),
  );
  pusher.wake();
  const deadline = Date.now() + 300_000;
  while (!skus.every((sku) => sim.inventory.get(`${LOCATION}:${sku}`) === want.get(sku))) {
    if (Date.now() > deadline) throw new Error('not converged within 300 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const convergedMs = performance.now() - started;
  await pusher.stop();
  const calls = sim.calls;
  console.log(
    JSON.stringify({
      store: store.connection.kind,
      skus: skusCount,
      queueMs: Math.round(queuedMs),
      convergedMs: Math.round(convergedMs),
      calls: calls.length,
      throttled: calls.filter((c) => c.status === 429).length,
      levelsSent: calls.filter((c) => c.status === 200).reduce((n, c) => n + c.levels.length, 0),
    }),
  );
} finally {
  await sim.close();
  await store.dispose();
}
