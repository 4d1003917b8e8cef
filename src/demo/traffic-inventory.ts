/**
 * The demo's warehouse: a round of inventory counts and scrap requests for products of the
 * Odoo simulator's own demo data (not the order stream's, whose stock moves all the time),
 * sent as a scanner would, once per demo. Some are within tolerance and applied at once,
 * some need the two write-off approvers (a large share of the stock, a large value, a scrap
 * beyond the stock on hand), one of 5 000 at cost their second factor too. The same demo
 * sends the same events (fixed keys).
 */
import type { Engine } from '../engine/index.ts';

const WH_STOCK = 8;
const COUNTER = 'wendy.warehouse@demo.crossdock.test';

/** [product id, counted] in WH/Stock; the comment says what the policy makes of it. */
const COUNTS: [product: number, counted: number][] = [
  [20, 21], // pedal bin, 22 on hand at 10: -1, 4.5 %, 10: within tolerance
  [37, 64], // customizable desk (custom, white), 65 on hand, no cost: within tolerance
  [38, 70], // customizable desk (custom, black), as booked: the count matches
  [18, 17], // storage box, 18 on hand: -1 is 5.6 % of the stock: two approvers
  [12, 43], // customizable desk, 45 on hand at 500: 1 000 at cost: two approvers
];

/**
 * Counts whose approvers must confirm with a second factor: sent only when the demo
 * approvers have authenticator apps (else nobody could decide them and the demo would wait).
 */
const STEP_UP_COUNTS: [product: number, counted: number][] = [
  [17, 493], // large cabinet, 500 on hand at 800: -7 is 5 600 at cost: two approvers, step-up
];

/** [product id, quantity, reason] from WH/Stock. */
const SCRAPS: [product: number, quantity: number, reason: string][] = [
  [24, 2, 'scratched in the showroom'], // conference chair, no cost: at once
  [21, 1, 'door hinge broken'], // cabinet with doors, 120.50: at once
  [26, 4, 'water damage in aisle 3'], // corner desk, 2 on hand: beyond the stock, two approvers
];

export interface InventoryTrafficResult {
  counts: number;
  scraps: number;
}

/** Sends the round of counts and scraps; duplicates of an earlier round start nothing. */
export async function sendInventoryRound(
  engine: Engine,
  o: { stepUp: boolean },
): Promise<InventoryTrafficResult> {
  const counts = o.stepUp ? [...COUNTS, ...STEP_UP_COUNTS] : COUNTS;
  for (const [product, counted] of counts)
    await engine.accept({
      source: 'scanner',
      type: 'inventory.count-submitted',
      key: `demo-count:${product}`,
      payload: {
        product_id: product,
        location_id: WH_STOCK,
        counted_qty: counted,
        counted_by: COUNTER,
      },
    });
  for (const [product, quantity, reason] of SCRAPS)
    await engine.accept({
      source: 'scanner',
      type: 'inventory.scrap-requested',
      key: `demo-scrap:${product}`,
      payload: {
        product_id: product,
        quantity,
        location_id: WH_STOCK,
        reason,
        requested_by: COUNTER,
      },
    });
  return { counts: counts.length, scraps: SCRAPS.length };
}
