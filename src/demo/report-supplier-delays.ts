/**
 * The demo report's supplier-delays line (supplier-delays pack): late receipts found (one
 * supplier-delay run each), their cases, those resolved when the receipt was validated, and
 * those escalated to the procurement manager.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface SupplierDelaysReport {
  found: number;
  cases: number;
  resolved: number;
  escalated: number;
}

export async function supplierDelaysReport(db: Kysely<Database>): Promise<SupplierDelaysReport> {
  const runs = await sql<{ found: string; escalated: string }>`
    SELECT count(*) AS found,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'escalate' AND s.status = 'completed')) AS escalated
    FROM runs r WHERE r.workflow_id = 'supplier-delay'`.execute(db);
  const cases = await sql<{ cases: string; resolved: string }>`
    SELECT count(*) AS cases, count(*) FILTER (WHERE status = 'resolved') AS resolved
    FROM exception_cases WHERE workflow_id = 'supplier-delay' AND error_code = 'SUPPLIER_DELAY'`.execute(
    db,
  );
  return {
    found: Number(runs.rows[0]?.found ?? 0),
    escalated: Number(runs.rows[0]?.escalated ?? 0),
    cases: Number(cases.rows[0]?.cases ?? 0),
    resolved: Number(cases.rows[0]?.resolved ?? 0),
  };
}

export function formatSupplierDelays(r: SupplierDelaysReport): string {
  return `  supplier delays late receipts found ${r.found}, cases ${r.cases}, resolved when received ${r.resolved}, escalated ${r.escalated}`;
}
