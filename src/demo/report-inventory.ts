/**
 * The demo report's inventory line (inventory-control pack): counts and scraps applied at
 * once within tolerance, applied after the two write-off approvals, rejected (a count cleared,
 * a scrap never made), and the share that went through with no human touch. Each run's
 * outcome is read off the steps it completed.
 */
import type { Kysely } from 'kysely';
import { inventoryOutcomes, type Database, type InventoryOutcomes } from '../store/index.ts';

export interface InventoryReport {
  counts: InventoryOutcomes;
  scraps: InventoryOutcomes;
  /** auto / (auto + approved + rejected) over counts and scraps; null when none ran. */
  noTouchShare: number | null;
}

export async function inventoryReport(db: Kysely<Database>): Promise<InventoryReport> {
  const { counts, scraps, noTouchShare } = await inventoryOutcomes(db);
  return { counts, scraps, noTouchShare };
}

export function formatInventory(r: InventoryReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  const line = (o: InventoryOutcomes) =>
    `${o.auto} at once, ${o.approved} after two approvals, ${o.rejected} rejected`;
  return `  inventory       counts ${line(r.counts)}; scraps ${line(r.scraps)} (no human touch: ${share})`;
}
