/**
 * The demo report's inventory line (inventory-control pack): counts and scraps applied at
 * once within tolerance, applied after the two write-off approvals, rejected (a count cleared,
 * a scrap never made), and the share that went through with no human touch. Each run's
 * outcome is read off the steps it completed.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface InventoryOutcomes {
  auto: number;
  approved: number;
  rejected: number;
}

export interface InventoryReport {
  counts: InventoryOutcomes;
  scraps: InventoryOutcomes;
  /** auto / (auto + approved + rejected) over counts and scraps; null when none ran. */
  noTouchShare: number | null;
}

export async function inventoryReport(db: Kysely<Database>): Promise<InventoryReport> {
  const r = await sql<{ workflow_id: string; auto: string; approved: string; rejected: string }>`
    SELECT r.workflow_id,
      count(*) FILTER (WHERE 'apply' = ANY(p.steps) OR ('scrap' = ANY(p.steps) AND NOT 'approve' = ANY(p.steps))) AS auto,
      count(*) FILTER (WHERE 'apply-approved' = ANY(p.steps) OR ('scrap' = ANY(p.steps) AND 'approve' = ANY(p.steps))) AS approved,
      count(*) FILTER (WHERE 'clear' = ANY(p.steps) OR 'rejected-note' = ANY(p.steps)) AS rejected
    FROM runs r
    CROSS JOIN LATERAL (SELECT coalesce(array_agg(s.step_id), ARRAY[]::text[]) AS steps
                        FROM run_steps s WHERE s.run_id = r.id AND s.status = 'completed') p
    WHERE r.workflow_id IN ('inventory-count', 'inventory-scrap')
    GROUP BY r.workflow_id`.execute(db);
  const of = (workflow: string): InventoryOutcomes => {
    const row = r.rows.find((x) => x.workflow_id === workflow);
    return {
      auto: Number(row?.auto ?? 0),
      approved: Number(row?.approved ?? 0),
      rejected: Number(row?.rejected ?? 0),
    };
  };
  const counts = of('inventory-count');
  const scraps = of('inventory-scrap');
  const all = [counts, scraps].reduce((n, o) => n + o.auto + o.approved + o.rejected, 0);
  return {
    counts,
    scraps,
    noTouchShare: all === 0 ? null : (counts.auto + scraps.auto) / all,
  };
}

export function formatInventory(r: InventoryReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  const line = (o: InventoryOutcomes) =>
    `${o.auto} at once, ${o.approved} after two approvals, ${o.rejected} rejected`;
  return `  inventory       counts ${line(r.counts)}; scraps ${line(r.scraps)} (no human touch: ${share})`;
}
