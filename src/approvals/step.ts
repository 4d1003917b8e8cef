import { CrossdockError } from '../errors/index.ts';
import type { StepContext, StepType } from '../workflows/index.ts';
import { ApprovalConfig, levelsOf } from './definition.ts';
import type { ApprovalView } from './model.ts';
import type { ApprovalsService } from './service.ts';

type State = { requestId: string };

/** What an ERP mirror is told: the request, its approvers' ERP users, and the decision once made. */
export interface MirrorState {
  request: ApprovalView;
  /** Crossdock user id -> Odoo user id, for the current approvers who have one. */
  erpUsers: Record<string, number>;
  decision: { action: string; actor: string; reason: string | null } | null;
  /** Every stage so far, oldest first; the mirror closes what it posted for those that ended. */
  stages: MirrorStage[];
}

/** A level started (or started again by an escalation): who was asked, and how it ended. */
export interface MirrorStage {
  /** `<level index>.<escalations when it started>`: what the mirror keys the stage's posts by. */
  key: string;
  level: number;
  name: string;
  /** Crossdock user ids asked at this stage. */
  assigneeIds: string[];
  /** null while it is the current, undecided stage; the text is what the ERP is told. */
  ended: { kind: 'approved' | 'escalated' | 'decided'; text: string } | null;
}

/**
 * Shows a request where the subject record lives (Odoo: a chatter note, an activity per
 * approver, the decision posted back). Called by the step each time it runs; it must do
 * each thing once per stage, whatever the number of calls.
 */
export interface ApprovalMirror {
  sync(ctx: StepContext, connection: string, state: MirrorState): Promise<void>;
}

/**
 * The `approval` step: opens a request (once per step position), then waits durably,
 * holding no worker. It wakes for a decision (the service makes the run due) and at its
 * own timers: the reminder and the deadline, where the service escalates or decides.
 * Rejected requests continue at `on_reject` when given.
 */
export function approvalStep(
  service: ApprovalsService | null,
  mirror: ApprovalMirror | null = null,
): StepType<ApprovalConfig> {
  return {
    type: 'approval',
    description:
      'Asks people to approve (levels, n-of-m, SLA with reminder and escalation, segregation of duties) and waits for the decision',
    config: ApprovalConfig as never,
    sideEffect: true,
    // A replay (perhaps with a corrected input) asks again; it never reuses an earlier answer.
    decidesAgainOnReplay: true,
    targets: (c) => (c.on_reject ? [c.on_reject] : []),
    async execute(ctx, config) {
      if (!service)
        throw new CrossdockError(
          'APPROVALS_UNAVAILABLE',
          'Approval steps run only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const approvals = service;
      const state = ctx.resumeState as State | undefined;
      let requestId = state?.requestId;
      if (requestId === undefined) {
        const chain = levelsOf(config);
        if (chain.length === 0) {
          throw new CrossdockError(
            'APPROVAL_CHAIN_UNKNOWN',
            `No approval chain "${String(config.chain)}"; this step knows ${Object.keys(config.chains ?? {}).join(', ')}`,
            {
              category: 'user',
              retryable: false,
              details: [
                { path: 'with.chain', message: `"${String(config.chain)}" is not a key of chains` },
              ],
            },
          );
        }
        const opened = await approvals.open({
          stepKey: ctx.idempotencyKey,
          runId: ctx.runId,
          workflowId: ctx.workflowId,
          stepId: ctx.stepId,
          subject: config.subject as never,
          summary: String(config.summary),
          policy: config.policy ?? null,
          requester: (config.requester as string | null | undefined) ?? null,
          conflicts: (config.conflicts as string[] | undefined) ?? [],
          chain,
          bulk: config.bulk === true,
        });
        requestId = opened.id;
        ctx.log('info', `approval request ${requestId} opened`, {
          level: opened.level.name,
          assignees: opened.level.assignees.map((a) => a.email),
        });
      }
      const view = await approvals.tick(requestId);
      if (config.odoo) {
        if (!mirror)
          throw new CrossdockError(
            'APPROVAL_ODOO_UNAVAILABLE',
            'This approval step shows itself in Odoo, but no Odoo connection is configured (CROSSDOCK_ODOO_CONFIG)',
            { category: 'user', retryable: false },
          );
        await mirror.sync(ctx, config.odoo.connection, await approvals.mirrorState(requestId));
      }
      if (view.status === 'pending') {
        return view.nextTimerAt === null
          ? { kind: 'suspend', state: { requestId } }
          : { kind: 'suspend', until: new Date(view.nextTimerAt), state: { requestId } };
      }
      const output = {
        requestId,
        decision: view.status,
        reason: view.decisionReason,
        decidedAt: view.decidedAt,
        level: view.level.name,
        escalations: view.escalations,
        breached: view.breached,
      };
      return view.status === 'rejected' && config.on_reject
        ? { kind: 'done', output, next: config.on_reject }
        : { kind: 'done', output };
    },
    describe: (c) =>
      `would ask for approval (${c.levels ? c.levels.map((l) => l.name).join(' -> ') : `chain ${String(c.chain)} of ${Object.keys(c.chains ?? {}).join('/')}`}) and wait for the decision`,
  };
}
