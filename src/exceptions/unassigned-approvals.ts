import type { ApprovalView } from '../approvals/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Db } from './queries.ts';
import type { ExceptionsService } from './service.ts';

/** The case of an approval request that nobody may decide: one per request. */
export const noEligibleApproverKey = (requestId: string) =>
  `approval:${requestId}:no-eligible-approver`;

/**
 * An approval level that starts with nobody who may decide it (its group is empty, or
 * segregation of duties excluded everyone: the requester is the only director) would wait
 * silently until its deadline. It opens a high-severity case for operations, in the
 * request's transaction (so it exists exactly when the request does), keyed by the request:
 * a step that runs again, or a later level of the same request, finds the case opened first.
 * The warning is logged when the case is opened.
 */
export async function noEligibleApproverCase(
  exceptions: ExceptionsService,
  logger: Logger,
  request: ApprovalView,
  excluded: { userId: string; rule: string }[],
  tx: Db,
): Promise<void> {
  const subject = `${request.subject.model} ${request.subject.name ?? request.subject.id}`;
  const level = request.level.name;
  const opened = await exceptions.openCase(
    {
      type: 'raised',
      severity: 'high',
      title:
        `Approval request ${request.id} (${subject}): nobody may decide level "${level}"`.slice(
          0,
          500,
        ),
      subject: { model: 'approval', id: request.id, name: subject.slice(0, 500) },
      owner: { team: 'operations' },
      slaHours: 4,
      code: 'APPROVAL_NO_ELIGIBLE_APPROVER',
      details: {
        request: request.id,
        level,
        excluded,
        fix: "add an eligible approver to the level's group (crossdock approvers set <email> --groups ...), then let the deadline escalate it, or cancel the run",
      },
      key: noEligibleApproverKey(request.id),
      runId: request.runId,
      workflowId: request.workflowId,
    },
    { actor: 'system:approvals' },
    'raised',
    tx,
  );
  if (opened.created) {
    logger.warn(
      {
        request: request.id,
        run: request.runId,
        workflow: request.workflowId,
        approvalLevel: level,
        excluded,
        case: opened.case.id,
      },
      `approval request ${request.id}: nobody may decide level "${level}"; case ${opened.case.id} opened for operations`,
    );
  }
}
