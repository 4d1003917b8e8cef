/**
 * The shop step types the packs use:
 *  - `shop.stock_locations`: the Odoo locations the configured shops show stock from;
 *  - `shop.queue_stock`: Odoo's quants and products read by the pack become each shop's
 *    levels per SKU and shop location (free quantity: on hand less reserved, in the Odoo
 *    location that shop location shows and its children, whole units), stored last-writer-wins by the quants' write_date, and the
 *    pusher woken. Setting a level is absolute and older reads never replace newer ones, so a
 *    retried or replayed step changes nothing a newer read stored.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../store/index.ts';
import { dynamic, type StepType } from '../../workflows/index.ts';
import type { Shop } from './config.ts';
import { queueLevels, type StockLevel } from './stock-store.ts';

const many2one = z.union([z.tuple([z.int(), z.string()]), z.literal(false)]);
const Quant = z.object({
  product_id: many2one,
  location_id: many2one,
  quantity: z.number(),
  reserved_quantity: z.number(),
  write_date: z.string(),
});
const Location = z.object({ id: z.int(), location_id: many2one });
const Product = z.object({
  id: z.int(),
  default_code: z.union([z.string(), z.literal(false)]),
});

const QueueConfig = z.strictObject({
  quants: dynamic(z.array(Quant)),
  locations: dynamic(z.array(Location)),
  products: dynamic(z.array(Product)),
});
type QueueConfig = z.output<typeof QueueConfig>;

export interface ShopStepDeps {
  db(): Kysely<Database> | null;
  shops(): readonly Shop[];
  now(): Date;
  queued(): void;
}

const idOf = (m: z.output<typeof many2one>) => (m === false ? null : m[0]);

/** Whether `location` is `root` or below it, by the parents read. */
function under(location: number, root: number, parents: Map<number, number | null>): boolean {
  const seen = new Set<number>();
  for (
    let at: number | null = location;
    at !== null && !seen.has(at);
    at = parents.get(at) ?? null
  ) {
    if (at === root) return true;
    seen.add(at);
  }
  return false;
}

/** Each SKU's free quantity under `root` and the newest write_date of the quants counted. */
export function levelsAt(
  root: number,
  quants: readonly z.output<typeof Quant>[],
  locations: readonly z.output<typeof Location>[],
  products: readonly z.output<typeof Product>[],
): StockLevel[] {
  const parents = new Map(locations.map((l) => [l.id, idOf(l.location_id)]));
  const byProduct = new Map<number, { free: number; version: string }>();
  for (const q of quants) {
    const product = idOf(q.product_id);
    const location = idOf(q.location_id);
    if (product === null || location === null || !under(location, root, parents)) continue;
    const at = byProduct.get(product) ?? { free: 0, version: '' };
    at.free += q.quantity - q.reserved_quantity;
    if (q.write_date > at.version) at.version = q.write_date;
    byProduct.set(product, at);
  }
  return products
    .filter((p): p is { id: number; default_code: string } => typeof p.default_code === 'string')
    .map((p) => {
      const at = byProduct.get(p.id);
      // A shop sells whole units; a fraction on hand is not one to sell.
      return {
        sku: p.default_code,
        available: Math.max(0, Math.floor((at?.free ?? 0) + 1e-9)),
        version: at?.version ?? '',
      };
    });
}

export function stockLocationsStep(
  deps: Pick<ShopStepDeps, 'shops'>,
): StepType<Record<string, never>> {
  return {
    type: 'shop.stock_locations',
    description:
      'The Odoo locations the configured shops show stock from; output { location_ids, shops }',
    config: z.strictObject({}) as z.ZodType<Record<string, never>>,
    sideEffect: false,
    async execute() {
      const shops = deps.shops().filter((s) => s.stock && s.api);
      return {
        kind: 'done',
        output: {
          location_ids: [...new Set(shops.flatMap((s) => s.stock!.map((l) => l.odooLocationId)))],
          shops: shops.map((s) => s.code),
        },
      };
    },
    describe: () => 'would list the Odoo locations of the shops that take stock levels',
  };
}

export function queueStockStep(deps: ShopStepDeps): StepType<QueueConfig> {
  return {
    type: 'shop.queue_stock',
    description:
      "Stores each shop's stock levels per SKU and shop location from Odoo's quants (newest write_date wins) for the pusher; output { shops: [{ shop, location, levels, changed }] }",
    config: QueueConfig as z.ZodType<QueueConfig>,
    sideEffect: true,
    ownIdempotency: 'levels are absolute and an older read never replaces a newer one',
    async execute(_ctx, config) {
      const db = deps.db();
      if (!db) throw new Error('shop.queue_stock needs the store (no instance is running)');
      const quants = config.quants as z.output<typeof Quant>[];
      const locations = config.locations as z.output<typeof Location>[];
      const products = config.products as z.output<typeof Product>[];
      const out: { shop: string; location: string; levels: number; changed: number }[] = [];
      for (const shop of deps.shops()) {
        if (!shop.stock || !shop.api) continue;
        // Each (SKU, shop location) is its own level, from its own Odoo location.
        for (const at of shop.stock) {
          const levels = levelsAt(at.odooLocationId, quants, locations, products);
          const changed = await queueLevels(db, shop.code, at.shopLocationId, levels, deps.now());
          out.push({
            shop: shop.code,
            location: at.shopLocationId,
            levels: levels.length,
            changed,
          });
        }
      }
      if (out.some((s) => s.changed > 0)) deps.queued();
      return { kind: 'done', output: { shops: out } };
    },
    describe: () => "would store each shop's stock levels for the pusher",
  };
}
