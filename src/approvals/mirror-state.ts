import { sql } from 'kysely';
import type { ApprovalAction, ApprovalView, Db } from './model.ts';
import type { MirrorStage, MirrorState } from './step.ts';

const DECIDING = ['approved', 'rejected', 'auto_approved', 'auto_rejected'];
const WORDS: Record<string, string> = {
  approved: 'Approved',
  rejected: 'Rejected',
  auto_approved: 'Approved automatically',
  auto_rejected: 'Rejected automatically',
};

/** "ana@x" from an actor "user:3 ana@x (link)"; the system stays "Crossdock". */
const person = (actor: string) =>
  actor === 'system' ? 'Crossdock' : actor.replace(/^user:\d+ /, '');

/**
 * What an ERP mirror needs of a request (see MirrorState): the request, its current
 * approvers' ERP users, the final decision, and every stage (a level started, or started
 * again by an escalation) with how it ended. Stages are read from the history: an
 * `assigned` action starts one, keyed `<level>.<escalations so far>`, as the mirror keys
 * what it posts for the stage; the next stage, or the request's decision, ends it.
 */
export async function mirrorStateOf(
  db: Db,
  request: ApprovalView,
  actions: ApprovalAction[],
): Promise<MirrorState> {
  const emails = [
    ...new Set(
      actions
        .filter((a) => a.action === 'assigned')
        .flatMap((a) => (a.details.assignees as string[] | undefined) ?? []),
    ),
  ];
  const users =
    emails.length === 0
      ? []
      : (
          await sql<{
            id: string;
            email: string;
          }>`SELECT id, email FROM users WHERE email = ANY(${emails}::text[])`.execute(db)
        ).rows;
  const idOf = new Map(users.map((u) => [u.email, String(u.id)]));
  const ids = [
    ...new Set([
      ...request.level.assignees.map((a) => a.userId),
      ...users.map((u) => String(u.id)),
    ]),
  ];
  const rows =
    ids.length === 0
      ? []
      : (
          await sql<{
            user_id: string;
            odoo_user_id: number;
          }>`SELECT user_id, odoo_user_id FROM approver_profiles
    WHERE user_id = ANY(${ids}::bigint[]) AND odoo_user_id IS NOT NULL`.execute(db)
        ).rows;
  const deciding = [...actions].reverse().find((a) => DECIDING.includes(a.action));
  const decision =
    request.status === 'pending' || !deciding
      ? null
      : { action: deciding.action, actor: deciding.actor, reason: deciding.reason };
  return {
    request,
    erpUsers: Object.fromEntries(rows.map((r) => [String(r.user_id), r.odoo_user_id])),
    decision,
    stages: stagesOf(request, actions, idOf, decision),
  };
}

function stagesOf(
  request: ApprovalView,
  actions: ApprovalAction[],
  idOf: Map<string, string>,
  decision: MirrorState['decision'],
): MirrorStage[] {
  const stages: (MirrorStage & { from: number })[] = [];
  let escalations = 0;
  actions.forEach((a, index) => {
    if (a.action === 'escalated') escalations++;
    if (a.action !== 'assigned') return;
    const assignees = ((a.details.assignees as string[] | undefined) ?? [])
      .map((email) => idOf.get(email))
      .filter((id): id is string => id !== undefined);
    stages.push({
      key: `${a.level}.${escalations}`,
      level: a.level,
      name: String(a.details.level ?? request.levels[a.level] ?? a.level),
      assigneeIds: assignees,
      ended: null,
      from: index,
    });
  });
  stages.forEach((stage, i) => {
    const next = stages[i + 1];
    const during = actions.slice(stage.from, next?.from ?? actions.length);
    const escalated = during.find((a) => a.action === 'escalated');
    const approvals = during.filter((a) => a.action === 'approved' && a.level === stage.level);
    const because = (reasons: (string | null)[]) =>
      reasons.some(Boolean) ? `: ${reasons.filter(Boolean).join('; ')}` : '';
    if (next && escalated)
      stage.ended = {
        kind: 'escalated',
        text: `Escalated in Crossdock (request ${request.id}): ${escalated.reason ?? 'deadline passed'}`,
      };
    else if (next)
      stage.ended = {
        kind: 'approved',
        text: `Level ${stage.name} approved in Crossdock (request ${request.id}) by ${approvals.map((a) => person(a.actor)).join(', ') || 'nobody'}${because(approvals.map((a) => a.reason))}`,
      };
    else if (decision)
      stage.ended = {
        kind: 'decided',
        text: `${WORDS[decision.action] ?? decision.action} in Crossdock (request ${request.id}) by ${person(decision.actor)}${decision.reason ? `: ${decision.reason}` : ''}`,
      };
  });
  return stages.map(({ from: _, ...stage }) => stage);
}
