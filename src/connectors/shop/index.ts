/**
 * Shops (storefronts) as a sales channel: shop configuration, the order webhook door
 * (/hooks/shop/<shop>), the stock levels queued from Odoo and the pusher that sets them in
 * each shop, and the step types packs/shop-orders uses.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../../engine/index.ts';
import type { Logger } from '../../observability/index.ts';
import type { Database } from '../../store/index.ts';
import type { Backoff, StepType } from '../../workflows/index.ts';
import type { Shop } from './config.ts';
import { StockPusher } from './pusher.ts';
import { shopRoutes, type ShopRouteDeps } from './routes.ts';
import { planShopOrderStep } from './plan-step.ts';
import { planShopRefundStep } from './plan-refund-step.ts';
import { queueStockStep, stockLocationsStep } from './steps.ts';

export { loadShops, parseShops, type Shop } from './config.ts';
export { INVENTORY_SET_PATH, StockPusher } from './pusher.ts';
export { receiveShopWebhook, type ShopDeliveryOutcome } from './routes.ts';
export { listLevels, queueLevels, type StockLevel } from './stock-store.ts';
export { levelsAt } from './steps.ts';
export { planRefund, type RefundPlan } from './plan-refund-step.ts';
export { shipByFromSla, type ShipBySla } from './ship-by.ts';

export interface ShopIntegration {
  shops: readonly Shop[];
  steps: StepType<any>[];
  routes: FastifyPluginAsync;
  pusher: StockPusher;
}

export interface ShopDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  accept: ShopRouteDeps['accept'];
  /** How often the pusher looks for due levels when nothing woke it. */
  pollIntervalMs: number;
  retry?: Backoff;
}

/** The shop step types without shops (validate, dry runs, an instance with no shop configured). */
export function shopStepTypes(db: Kysely<Database> | null = null): StepType<any>[] {
  const deps = { db: () => db, shops: () => [], now: () => new Date(), queued: () => undefined };
  return [
    planShopOrderStep(),
    planShopRefundStep(),
    stockLocationsStep(deps),
    queueStockStep(deps),
  ];
}

export function createShopIntegration(shops: readonly Shop[], deps: ShopDeps): ShopIntegration {
  const byCode = new Map(shops.map((s) => [s.code, s]));
  const pusher = new StockPusher({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    shops,
    pollIntervalMs: deps.pollIntervalMs,
    ...(deps.retry ? { retry: deps.retry } : {}),
  });
  const stepDeps = {
    db: () => deps.db,
    shops: () => shops,
    now: () => deps.clock.now(),
    queued: () => pusher.wake(),
  };
  return {
    shops,
    pusher,
    steps: [
      planShopOrderStep(),
      planShopRefundStep(),
      stockLocationsStep(stepDeps),
      queueStockStep(stepDeps),
    ],
    routes: shopRoutes({
      shop: (code) => byCode.get(code),
      accept: deps.accept,
      logger: deps.logger,
    }),
  };
}
