import type { ApprovalMirror, MirrorStage, MirrorState } from '../../../approvals/index.ts';
import { CrossdockError } from '../../../errors/index.ts';
import type { StepContext } from '../../../workflows/index.ts';
import { activityScheduleStep, messagePostStep } from './chatter-steps.ts';
import { callOptions, chatterRef, type OdooClientPool } from './shared.ts';

/**
 * Shows an approval request on its Odoo record. Each stage (a level starting or being
 * escalated) posts one internal note, and each approver who is an Odoo user gets one
 * To-Do activity due on the deadline. When a stage ends, its level's decision is noted
 * (each level, not only the last) and its activities are marked done with the outcome as
 * feedback (`mail.activity.action_feedback`: Odoo posts "To-Do done" with it and deletes
 * the activity). The chatter steps' references make every repeat find what the first call
 * posted; an activity already done is no longer found, so it is never closed twice.
 */
export function odooApprovalMirror(pool: OdooClientPool): ApprovalMirror {
  const note = messagePostStep(pool);
  const activity = activityScheduleStep(pool);
  return {
    async sync(ctx, connection, state: MirrorState) {
      const { request } = state;
      const id = Number(request.subject.id);
      const on = { connection, model: request.subject.model, id };
      for (const stage of state.stages) {
        if (stage.ended?.kind === 'approved')
          await note.execute(
            as(ctx, `level-decision:${stage.level}`),
            note.config.parse({ ...on, body: stage.ended.text }),
          );
        if (stage.ended) await closeActivities(pool, ctx, { ...on, stage }, stage.ended.text);
      }
      if (state.decision) {
        const last = state.stages.at(-1);
        const body =
          last?.ended?.text ?? `${state.decision.action} in Crossdock (request ${request.id})`;
        await note.execute(as(ctx, 'decision'), note.config.parse({ ...on, body }));
        return;
      }
      const stage = `${request.level.index}.${request.escalations}`;
      const due = request.level.dueAt
        ? ` Decide by ${request.level.dueAt.replace('T', ' ').slice(0, 16)} UTC.`
        : '';
      const who =
        request.level.assignees.map((a) => a.name ?? a.email).join(', ') || 'nobody eligible';
      const escalated = request.escalations > 0 ? ' (escalated)' : '';
      await note.execute(
        as(ctx, `note:${stage}`),
        note.config.parse({
          ...on,
          body: `Approval requested in Crossdock (request ${request.id}), level ${request.level.name}${escalated}: ${request.summary} Approvers: ${who}.${due}`,
        }),
      );
      for (const assignee of request.level.assignees) {
        const odooUser = state.erpUsers[assignee.userId];
        if (odooUser === undefined) continue;
        await activity.execute(
          as(ctx, activityKey(stage, assignee.userId)),
          activity.config.parse({
            ...on,
            summary: `Approve in Crossdock: ${request.subject.name ?? request.subject.id}`.slice(
              0,
              120,
            ),
            note: request.summary,
            user_id: odooUser,
            ...(request.level.dueAt ? { date_deadline: request.level.dueAt.slice(0, 10) } : {}),
          }),
        );
      }
    },
  };
}

const as = (ctx: StepContext, suffix: string): StepContext => ({
  ...ctx,
  idempotencyKey: `${ctx.idempotencyKey}:odoo:${suffix}`,
});
const activityKey = (stage: string, userId: string) => `activity:${stage}:${userId}`;

/** Marks a stage's open activities done, with the stage's outcome as feedback. */
async function closeActivities(
  pool: OdooClientPool,
  ctx: StepContext,
  on: { connection: string; model: string; id: number; stage: MirrorStage },
  feedback: string,
): Promise<void> {
  const refs = on.stage.assigneeIds.map((userId) =>
    chatterRef(as(ctx, activityKey(on.stage.key, userId)).idempotencyKey),
  );
  if (refs.length === 0) return;
  const client = pool.get(on.connection);
  const anyRef = [...refs.slice(1).map(() => '|'), ...refs.map((ref) => ['note', 'ilike', ref])];
  // Open activities only (the default active_test): a done one is deleted, or archived.
  const searchOpen = () =>
    client.call<number[]>(
      'mail.activity',
      'search',
      [[['res_model', '=', on.model], ['res_id', '=', on.id], ...anyRef]],
      {},
      undefined,
      callOptions(ctx, true),
    );
  const markDone = (ids: number[]) =>
    client.call(
      'mail.activity',
      'action_feedback',
      [ids],
      { feedback },
      undefined,
      callOptions(ctx, false),
    );
  // Idempotency: a repeat finds the activities done here no longer open, and does nothing.
  const open = await searchOpen();
  if (open.length === 0) return;
  try {
    await markDone(open);
  } catch (error) {
    // Between the search and this call another sync of the same request (the SLA timer and
    // the run both sync) marked some of them done, and Odoo deleted them: those are closed.
    // Close what is still open, one by one, so a second one gone meanwhile is no failure.
    if (!isMissingRecord(error)) throw error;
    for (const id of await searchOpen()) await markDone([id]).catch(ignoreMissingRecord);
  }
}

const isMissingRecord = (error: unknown) =>
  error instanceof CrossdockError && error.code === 'ODOO_MISSING_RECORD';
const ignoreMissingRecord = (error: unknown) => {
  if (!isMissingRecord(error)) throw error;
};
