import { sql } from 'kysely';
import { assign, notifyAll, startLevel } from './assignment.ts';
import { closeRequest, record, type ApprovalsContext } from './context.ts';
import { dueAfter, type Db, type RequestRow } from './model.ts';

/** The level's reminder is due: mark it sent, record it and tell the approvers again. */
export async function remind(c: ApprovalsContext, tx: Db, r: RequestRow, now: Date): Promise<void> {
  await sql`UPDATE approval_requests SET level_reminded_at = ${now} WHERE id = ${r.id}`.execute(tx);
  await record(c, tx, r, {
    action: 'reminded',
    actor: 'system',
    via: 'system',
    details: { to: r.assignees.map((a) => a.email) },
  });
  await notifyAll(c, tx, String(r.id), r.assignees, 'reminder', now);
}

/** The deadline passed: decide as the level says, or escalate. */
export async function breach(c: ApprovalsContext, tx: Db, r: RequestRow, now: Date): Promise<void> {
  const level = r.chain[r.level]!;
  const reason = `SLA of ${level.sla_hours} h for level "${level.name}" passed at ${new Date(r.level_due_at!).toISOString()}`;
  if (level.on_breach !== 'escalate') {
    await record(c, tx, r, {
      action: level.on_breach === 'approve' ? 'auto_approved' : 'auto_rejected',
      actor: 'system',
      via: 'system',
      reason,
    });
    // Decided by the system because the deadline passed: the SLA was breached all the same.
    await sql`UPDATE approval_requests SET breached = true WHERE id = ${r.id}`.execute(tx);
    await closeRequest(tx, r, level.on_breach === 'approve' ? 'approved' : 'rejected', now, reason);
    return;
  }
  const from = r.assignees.map((a) => a.userId);
  const target =
    level.escalate_to ?? (r.level + 1 < r.chain.length ? null : { manager: true as const });
  const bump = sql`UPDATE approval_requests SET escalations = escalations + 1, breached = true WHERE id = ${r.id}`;
  if (target === null) {
    await record(c, tx, r, {
      action: 'escalated',
      actor: 'system',
      via: 'system',
      reason,
      details: { from, toLevel: r.chain[r.level + 1]!.name },
    });
    await bump.execute(tx);
    await startLevel(c, tx, r, r.level + 1, now, 'escalated');
    return;
  }
  const to = await c.directory.resolve(target, r.assignees, tx);
  if (to.length === 0) {
    await record(c, tx, r, {
      action: 'breached',
      actor: 'system',
      via: 'system',
      reason: `${reason}; no one to escalate to, still waiting`,
      details: { from },
    });
    await sql`UPDATE approval_requests SET breached = true, level_due_at = NULL WHERE id = ${r.id}`.execute(
      tx,
    );
    return;
  }
  await record(c, tx, r, {
    action: 'escalated',
    actor: 'system',
    via: 'system',
    reason,
    details: { from, to: to.map((a) => a.email) },
  });
  await bump.execute(tx);
  await assign(
    c,
    tx,
    { ...r, escalations: r.escalations + 1 },
    to,
    dueAfter(now, level),
    now,
    'escalated',
  );
}
