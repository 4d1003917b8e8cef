import { sql } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import { ENDED_STATUSES, runStatus, wakeRun } from '../store/index.ts';
import { startLevel } from './assignment.ts';
import {
  bulkErrors,
  bulkProblems,
  type BulkDecision,
  type BulkNote,
  type BulkOutcome,
} from './bulk.ts';
import {
  closeRequest,
  record,
  requestRow,
  type ApprovalsContext,
  type Decider,
} from './context.ts';
import {
  approvalErrors,
  bulkGroupOf,
  needed,
  sodError,
  toView,
  type ApprovalView,
  type Db,
  type Decision,
  type DecisionVia,
  type RequestRow,
} from './model.ts';
import { sodRule } from './segregation.ts';
import { stepUpRefusal } from './step-up.ts';

/** One person's decision on one request, in its own transaction; refusals are thrown. */
export async function decideOne(
  c: ApprovalsContext,
  id: string,
  who: Decider,
  decision: Decision,
  reason: string | null,
  via: DecisionVia,
  o: { linkToken?: string; bulk?: BulkNote; code?: string },
): Promise<ApprovalView> {
  if (decision === 'reject' && !reason?.trim()) throw approvalErrors.reasonRequired();
  const now = c.o.now();
  const outcome = await c.o.db.transaction().execute(async (tx) => {
    const r = await requestRow(tx, { id }, true);
    // Checked under the row lock: what was approved is what was selected.
    if (o.bulk && r.status === 'pending' && bulkGroupOf(r) !== o.bulk.group)
      return { refusal: bulkErrors.changed(id, r.chain[r.level]!.name) };
    const refusal = await check(c, tx, r, who, now);
    if (refusal instanceof Error) return { refusal };
    const stepUp = await stepUpRefusal(c, tx, r, who, o.code);
    if (stepUp instanceof Error) return { refusal: stepUp };
    // Spent only by the decision it makes: a refused code leaves the link usable.
    if (o.linkToken !== undefined) await c.links.consume(tx, o.linkToken, id, who.userId, now);
    const seat = refusal.seat;
    const noted = {
      ...(o.bulk ? { bulk: o.bulk } : {}),
      ...(stepUp ?? {}),
    };
    await record(c, tx, r, {
      action: decision === 'approve' ? 'approved' : 'rejected',
      actor: who.actor,
      userId: who.userId,
      onBehalfOf: seat === who.userId ? null : seat,
      via,
      reason,
      details: noted,
    });
    if (decision === 'reject') await closeRequest(tx, r, 'rejected', now, reason);
    else await advanceIfComplete(c, tx, r, now);
    // A decision changes what the step must do (continue, show the next level, new timers): make the run due.
    await wakeRun(tx, r.run_id, now);
    await c.o.audit?.append(
      {
        action: `approval.${decision}`,
        actor: who.actor,
        target: `approval:${id}`,
        details: {
          run: r.run_id,
          level: r.chain[r.level]!.name,
          onBehalfOf: seat === who.userId ? null : `user:${seat}`,
          via,
          reason,
          ...noted,
        },
      },
      tx,
    );
    return { view: toView(await requestRow(tx, { id })) };
  });
  if ('refusal' in outcome) throw outcome.refusal;
  await c.o.wake();
  return outcome.view;
}

/** Approves identical requests together: see ApprovalsService.decideMany. */
export async function decideMany(
  c: ApprovalsContext,
  ids: string[],
  who: Decider,
  reason: string | null,
  via: DecisionVia,
): Promise<BulkDecision> {
  const valid = ids.filter((id) => /^\d{1,18}$/.test(id));
  const rows =
    valid.length === 0
      ? []
      : (
          await sql<RequestRow>`SELECT * FROM approval_requests WHERE id = ANY(${valid}::bigint[])`.execute(
            c.o.db,
          )
        ).rows;
  const problems = bulkProblems(ids, rows);
  if (problems.length > 0) throw bulkErrors.refused(problems, ids.length);
  const group = bulkGroupOf(rows.find((r) => String(r.id) === ids[0])!)!;
  const results: BulkOutcome[] = [];
  for (const id of ids) {
    try {
      results.push({
        id,
        outcome: 'approved',
        request: await decideOne(c, id, who, 'approve', reason, via, {
          bulk: { of: ids.length, group },
        }),
      });
    } catch (error) {
      if (
        !(error instanceof CrossdockError) ||
        error.category === 'bug' ||
        error.category === 'transient'
      )
        throw error;
      results.push({
        id,
        outcome: 'refused',
        error: { code: error.code, message: error.message },
      });
    }
  }
  const approved = results.filter((r) => r.outcome === 'approved').length;
  return { results, approved, refused: results.length - approved };
}

/** The enabled user a decision link names, as a decider. */
export async function linkDecider(
  c: ApprovalsContext,
  userId: string,
  via: string,
): Promise<Decider> {
  const user = (
    await sql<{
      email: string;
    }>`SELECT email FROM users WHERE id = ${userId} AND disabled_at IS NULL`.execute(c.o.db)
  ).rows[0];
  if (!user) throw approvalErrors.notAssigned('(link)');
  return { userId, email: user.email, actor: `user:${userId} ${user.email} (${via})` };
}

/** Whose seat the decider takes, or why they may not decide (recorded before it is thrown). */
async function check(
  c: ApprovalsContext,
  tx: Db,
  r: RequestRow,
  who: Decider,
  now: Date,
): Promise<{ seat: string } | CrossdockError> {
  if (r.status !== 'pending')
    return approvalErrors.alreadyDecided(
      String(r.id),
      r.status,
      r.decided_at && new Date(r.decided_at).toISOString(),
    );
  const runState = (await runStatus(tx, r.run_id))!; // approval_requests.run_id references runs
  if (ENDED_STATUSES.includes(runState)) return approvalErrors.runEnded(String(r.id), runState);
  const acting = await c.directory.actingFor(who.userId, now, tx);
  const seat = acting.find((id) => r.assignees.some((a) => a.userId === id));
  const refuse = async (
    error: CrossdockError,
    action: string,
    details: Record<string, unknown> = {},
  ) => {
    await record(c, tx, r, {
      action,
      actor: who.actor,
      userId: who.userId,
      via: 'system',
      reason: error.message,
      details: { code: error.code, ...details },
    });
    return error;
  };
  if (seat === undefined) {
    const escalation = await escalatedAwayFrom(tx, r, who.userId);
    if (escalation)
      return refuse(
        approvalErrors.escalated(
          String(r.id),
          escalation.at,
          r.assignees.map((a) => a.email).join(', ') || 'nobody',
        ),
        'late_decision_refused',
      );
    const rule = await sodRule(tx, r, who.userId);
    if (rule)
      return refuse(sodError(rule, String(r.id), who.email), 'refused', {
        rule,
        user: who.userId,
      });
    return approvalErrors.notAssigned(String(r.id));
  }
  for (const person of new Set([who.userId, seat])) {
    const rule = await sodRule(tx, r, person);
    if (rule)
      return refuse(
        sodError(rule, String(r.id), person === who.userId ? who.email : `user:${person}`),
        'refused',
        { rule, user: person },
      );
  }
  const voted =
    await sql`SELECT 1 FROM approval_actions WHERE request_id = ${r.id} AND level = ${r.level}
      AND action IN ('approved','rejected') AND (COALESCE(on_behalf_of, user_id) = ${seat} OR user_id = ${who.userId})`.execute(
      tx,
    );
  if (voted.rows.length > 0)
    return approvalErrors.alreadyVoted(String(r.id), r.chain[r.level]!.name);
  return { seat };
}

async function escalatedAwayFrom(
  tx: Db,
  r: RequestRow,
  userId: string,
): Promise<{ at: string } | null> {
  const row = (
    await sql<{
      at: Date;
    }>`SELECT at FROM approval_actions WHERE request_id = ${r.id} AND action = 'escalated'
      AND details->'from' @> ${JSON.stringify([userId])}::jsonb ORDER BY id DESC LIMIT 1`.execute(
      tx,
    )
  ).rows[0];
  return row ? { at: new Date(row.at).toISOString() } : null;
}

/** Enough approvals at this level: start the next one, or approve the request. */
async function advanceIfComplete(
  c: ApprovalsContext,
  tx: Db,
  r: RequestRow,
  now: Date,
): Promise<void> {
  const level = r.chain[r.level]!;
  const approvals = (
    await sql<{
      n: string;
    }>`SELECT count(DISTINCT COALESCE(on_behalf_of, user_id)) AS n FROM approval_actions
      WHERE request_id = ${r.id} AND level = ${r.level} AND action = 'approved'`.execute(tx)
  ).rows[0]!;
  if (Number(approvals.n) < needed(level, r.assignees.length)) return;
  if (r.level + 1 < r.chain.length) await startLevel(c, tx, r, r.level + 1, now, 'request');
  else await closeRequest(tx, r, 'approved', now, null);
}
