import { sql } from 'kysely';
import { record, requestRow, type ApprovalNotice, type ApprovalsContext } from './context.ts';
import type { Assignee } from './directory.ts';
import {
  dueAfter,
  noEligibleReason,
  toView,
  type Db,
  type RequestRow,
  type SodRule,
} from './model.ts';
import { sodRule } from './segregation.ts';

/** Starts a level of the chain: resolves its approvers and assigns them with the level's deadline. */
export async function startLevel(
  c: ApprovalsContext,
  tx: Db,
  r: RequestRow,
  index: number,
  now: Date,
  kind: 'request' | 'escalated',
): Promise<void> {
  const level = r.chain[index]!;
  const candidates = await c.directory.resolve(level.approvers, [], tx);
  await assign(c, tx, { ...r, level: index }, candidates, dueAfter(now, level), now, kind);
}

/** Makes these people the level's approvers (minus those SoD excludes) and tells them. */
export async function assign(
  c: ApprovalsContext,
  tx: Db,
  r: RequestRow,
  candidates: Assignee[],
  due: Date | null,
  now: Date,
  kind: ApprovalNotice['kind'],
): Promise<void> {
  const eligible: Assignee[] = [];
  const excluded: { userId: string; rule: SodRule }[] = [];
  for (const candidate of candidates) {
    const rule = await sodRule(tx, r, candidate.userId);
    rule ? excluded.push({ userId: candidate.userId, rule }) : eligible.push(candidate);
  }
  await sql`UPDATE approval_requests SET level = ${r.level}, assignees = ${JSON.stringify(eligible)}::jsonb, level_started_at = ${now},
      level_due_at = ${due}, level_reminded_at = NULL WHERE id = ${r.id}`.execute(tx);
  const level = r.chain[r.level]!;
  await record(c, tx, r, {
    action: 'assigned',
    actor: 'system',
    via: 'system',
    details: {
      level: level.name,
      assignees: eligible.map((a) => a.email),
      excluded,
      dueAt: due?.toISOString() ?? null,
      required: level.required,
    },
  });
  if (eligible.length === 0) {
    await record(c, tx, r, {
      action: 'no_eligible_approver',
      actor: 'system',
      via: 'system',
      reason: noEligibleReason(level.name, candidates.length),
      details: { level: level.name, excluded },
    });
    await c.o.onNoEligibleApprover?.(
      toView(await requestRow(tx, { id: String(r.id) })),
      excluded,
      tx,
    );
  }
  await notifyAll(c, tx, String(r.id), eligible, kind, now);
}

/** Tells each approver (or whoever they delegated to) about the request, with decision links. */
export async function notifyAll(
  c: ApprovalsContext,
  tx: Db,
  id: string,
  to: Assignee[],
  kind: ApprovalNotice['kind'],
  now: Date,
): Promise<void> {
  const notify = c.o.notify;
  if (!notify || to.length === 0) return;
  const r = await requestRow(tx, { id });
  const view = toView(r);
  const delegates = await c.directory.delegatesOf(
    to.map((a) => a.userId),
    now,
    tx,
  );
  const base = c.o.linkBaseUrl?.() ?? null;
  const skipped = new Map<string, string>();
  for (const assignee of to) {
    const recipient = delegates.get(assignee.userId) ?? assignee;
    const expires = r.level_due_at === null ? null : new Date(r.level_due_at);
    const links =
      base === null
        ? null
        : await c.links.create(tx, {
            requestId: id,
            level: r.level,
            userId: recipient.userId,
            base,
            now,
            expires,
          });
    const key = `approval:${id}:level:${r.level}:${kind}:${r.escalations}:user:${recipient.userId}`;
    const outcome = await notify(
      {
        key,
        kind,
        to: recipient,
        onBehalfOf: recipient === assignee ? null : assignee,
        request: view,
        links,
      },
      tx,
    );
    if (outcome) skipped.set(assignee.userId, `${recipient.email}: ${outcome.skipped}`);
  }
  if (skipped.size > 0) await notNotified(c, tx, r, kind, skipped);
}

/** Notices that were not sent: marked on the assignees (the request shows it) and in the history. */
async function notNotified(
  c: ApprovalsContext,
  tx: Db,
  r: RequestRow,
  kind: ApprovalNotice['kind'],
  skipped: Map<string, string>,
): Promise<void> {
  const current = await requestRow(tx, { id: String(r.id) });
  const assignees = current.assignees.map((a) =>
    skipped.has(a.userId) ? { ...a, unnotified: skipped.get(a.userId)! } : a,
  );
  await sql`UPDATE approval_requests SET assignees = ${JSON.stringify(assignees)}::jsonb WHERE id = ${r.id}`.execute(
    tx,
  );
  await record(c, tx, current, {
    action: 'not_notified',
    actor: 'system',
    via: 'system',
    reason: [...skipped.values()].join('; '),
    details: { kind, to: [...skipped.keys()] },
  });
}
