import { sql } from 'kysely';
import type { Db, RequestRow, SodRule } from './model.ts';

/** Segregation of duties for one person on this request, or null when they may decide. */
export async function sodRule(tx: Db, r: RequestRow, userId: string): Promise<SodRule | null> {
  const u = (
    await sql<{
      email: string;
      odoo_user_id: number | null;
    }>`SELECT u.email, p.odoo_user_id FROM users u
      LEFT JOIN approver_profiles p ON p.user_id = u.id WHERE u.id = ${userId}`.execute(tx)
  ).rows[0];
  if (!u) return null;
  const names = [
    u.email.toLowerCase(),
    ...(u.odoo_user_id !== null ? [`odoo:${u.odoo_user_id}`] : []),
  ];
  if (r.requester && names.includes(r.requester.toLowerCase())) return 'self';
  if (r.conflicts.some((c) => names.includes(c.toLowerCase()))) return 'conflict';
  const earlier =
    await sql`SELECT 1 FROM approval_actions WHERE request_id = ${r.id} AND level < ${r.level} AND action = 'approved'
      AND (user_id = ${userId} OR on_behalf_of = ${userId})`.execute(tx);
  return earlier.rows.length > 0 ? 'earlier_level' : null;
}
