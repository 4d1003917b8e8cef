import type { ApprovalMirror, MirrorState } from '../../../approvals/index.ts';
import type { StepContext } from '../../../workflows/index.ts';
import { activityScheduleStep, messagePostStep } from './chatter-steps.ts';
import type { OdooClientPool } from './shared.ts';

const DECISION_WORDS: Record<string, string> = {
  approved: 'Approved', rejected: 'Rejected', auto_approved: 'Approved automatically', auto_rejected: 'Rejected automatically',
};

/**
 * Shows an approval request on its Odoo record. Each stage (a level starting or being
 * escalated, the decision) posts one internal note, and each approver who is an Odoo user
 * gets one To-Do activity due on the deadline; the chatter steps' references make every
 * repeat find what the first call posted.
 */
export function odooApprovalMirror(pool: OdooClientPool): ApprovalMirror {
  const note = messagePostStep(pool);
  const activity = activityScheduleStep(pool);
  const as = (ctx: StepContext, suffix: string): StepContext => ({ ...ctx, idempotencyKey: `${ctx.idempotencyKey}:odoo:${suffix}` });
  return {
    async sync(ctx, connection, state: MirrorState) {
      const { request } = state;
      const id = Number(request.subject.id);
      const on = { connection, model: request.subject.model, id };
      if (state.decision) {
        const { action, actor, reason } = state.decision;
        const body = `${DECISION_WORDS[action] ?? action} in Crossdock (request ${request.id}) by ${actor.replace(/^user:\d+ /, '')}${reason ? `: ${reason}` : ''}`;
        await note.execute(as(ctx, 'decision'), note.config.parse({ ...on, body }));
        return;
      }
      const stage = `${request.level.index}.${request.escalations}`;
      const due = request.level.dueAt ? ` Decide by ${request.level.dueAt.replace('T', ' ').slice(0, 16)} UTC.` : '';
      const who = request.level.assignees.map((a) => a.name ?? a.email).join(', ') || 'nobody eligible';
      const escalated = request.escalations > 0 ? ' (escalated)' : '';
      await note.execute(as(ctx, `note:${stage}`), note.config.parse({ ...on, body: `Approval requested in Crossdock (request ${request.id}), level ${request.level.name}${escalated}: ${request.summary} Approvers: ${who}.${due}` }));
      for (const assignee of request.level.assignees) {
        const odooUser = state.erpUsers[assignee.userId];
        if (odooUser === undefined) continue;
        await activity.execute(as(ctx, `activity:${stage}:${assignee.userId}`), activity.config.parse({
          ...on, summary: `Approve in Crossdock: ${request.subject.name ?? request.subject.id}`.slice(0, 120), note: request.summary, user_id: odooUser,
          ...(request.level.dueAt ? { date_deadline: request.level.dueAt.slice(0, 10) } : {}),
        }));
      }
    },
  };
}
