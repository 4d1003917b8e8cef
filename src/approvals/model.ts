import type { Kysely } from 'kysely';
import { CrossdockError, type ErrorCode } from '../errors/index.ts';
import type { ApprovalLevel, Subject } from './definition.ts';
import type { Assignee } from './directory.ts';
import type { Database } from '../store/index.ts';

/**
 * A request is decided or pending; a cancelled run leaves its request pending (inboxes hide
 * requests of ended runs, and a decision on one is refused as APPROVAL_RUN_ENDED).
 */
export const ApprovalStatus = {
  pending: 'pending',
  approved: 'approved',
  rejected: 'rejected',
} as const;
export type ApprovalStatus = (typeof ApprovalStatus)[keyof typeof ApprovalStatus];

/** The approvals tables are queried with raw SQL (their rows: RequestRow, ApprovalAction). */
export type Db = Kysely<Database>;

export type Decision = 'approve' | 'reject';
export type DecisionVia = 'api' | 'link' | 'cli';

export interface RequestRow {
  id: string;
  step_key: string;
  run_id: string;
  workflow_id: string;
  subject: Subject;
  summary: string;
  policy: unknown;
  requester: string | null;
  conflicts: string[];
  chain: ApprovalLevel[];
  status: ApprovalStatus;
  level: number;
  assignees: Assignee[];
  level_started_at: Date | string;
  level_due_at: Date | string | null;
  level_reminded_at: Date | string | null;
  escalations: number;
  breached: boolean;
  created_at: Date | string;
  decided_at: Date | string | null;
  decision_reason: string | null;
  /** Set when the step allowed bulk approval (migrations/0008): see bulkGroupKey. */
  bulk_group: string | null;
}

export interface ApprovalAction {
  at: string;
  level: number;
  action: string;
  actor: string;
  userId: string | null;
  onBehalfOf: string | null;
  via: string;
  reason: string | null;
  details: Record<string, unknown>;
}

/** What the API, the CLI, e-mails and the step's output show of a request. */
export interface ApprovalView {
  id: string;
  runId: string;
  workflowId: string;
  subject: Subject;
  summary: string;
  policy: unknown;
  requester: string | null;
  status: ApprovalStatus;
  level: {
    index: number;
    name: string;
    required: number | 'all';
    slaHours: number;
    /** Each decision at this level needs a code from the decider's authenticator (TOTP). */
    stepUp: boolean;
    startedAt: string;
    dueAt: string | null;
    remindedAt: string | null;
    assignees: Assignee[];
  };
  levels: string[];
  escalations: number;
  breached: boolean;
  createdAt: string;
  decidedAt: string | null;
  decisionReason: string | null;
  /** When the step next needs to look at it (reminder or deadline); null when nothing is due. */
  nextTimerAt: string | null;
  /**
   * Requests with the same bulkGroup are identical (workflow, step, chain, policy decision,
   * current level) and may be approved together; null when pending requests may not be, or
   * when the request is no longer pending.
   */
  bulkGroup: string | null;
  /**
   * What keeps a pending request from being decided or seen: nobody may decide its level
   * (APPROVAL_NO_ELIGIBLE_APPROVER), or its approvers were not told (APPROVAL_NOT_NOTIFIED,
   * each such assignee has `unnotified`). Empty when nothing is wrong, or once decided.
   */
  warnings: { code: 'APPROVAL_NO_ELIGIBLE_APPROVER' | 'APPROVAL_NOT_NOTIFIED'; message: string }[];
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : new Date(d).toISOString();
const HOUR_MS = 3_600_000;

export function toView(r: RequestRow): ApprovalView {
  const level = r.chain[r.level]!;
  return {
    id: String(r.id),
    runId: String(r.run_id),
    workflowId: r.workflow_id,
    subject: r.subject,
    summary: r.summary,
    policy: r.policy ?? null,
    requester: r.requester,
    status: r.status,
    level: {
      index: r.level,
      name: level.name,
      required: level.required,
      slaHours: level.sla_hours,
      stepUp: level.step_up === true,
      startedAt: iso(r.level_started_at)!,
      dueAt: iso(r.level_due_at),
      remindedAt: iso(r.level_reminded_at),
      assignees: r.assignees,
    },
    levels: r.chain.map((l) => l.name),
    escalations: r.escalations,
    breached: r.breached,
    createdAt: iso(r.created_at)!,
    decidedAt: iso(r.decided_at),
    decisionReason: r.decision_reason,
    nextTimerAt: iso(nextTimer(r)),
    bulkGroup: bulkGroupOf(r),
    warnings: warningsOf(r),
  };
}

function warningsOf(r: RequestRow): ApprovalView['warnings'] {
  if (r.status !== 'pending') return [];
  const level = r.chain[r.level]!.name;
  if (r.assignees.length === 0) {
    return [
      {
        code: 'APPROVAL_NO_ELIGIBLE_APPROVER',
        message: `Nobody may decide level "${level}": no approver is eligible (see the history); an exception case is open for operations`,
      },
    ];
  }
  const unnotified = r.assignees.filter((a) => a.unnotified !== undefined);
  if (unnotified.length === 0) return [];
  const who =
    unnotified.length === r.assignees.length
      ? 'Nobody was notified'
      : `Not notified: ${unnotified.map((a) => a.email).join(', ')}`;
  return [
    {
      code: 'APPROVAL_NOT_NOTIFIED',
      message: `${who} of level "${level}" (${[...new Set(unnotified.map((a) => a.unnotified!.replace(/^[^:]*: /, '')))].join('; ')}); approvers see it only in their inbox`,
    },
  ];
}

/** Why a level has nobody who may decide it, for its history and case. */
export function noEligibleReason(level: string, candidates: number): string {
  return candidates === 0
    ? `level "${level}" has no approvers: its group or list resolves to nobody`
    : `level "${level}": all ${candidates} approver(s) are excluded by segregation of duties (requester, conflict of interest or an earlier level)`;
}

/**
 * The bulk group at the request's current level; null unless pending and allowed. A step-up
 * level is never decided in bulk: each decision spends its own code.
 */
export function bulkGroupOf(
  r: Pick<RequestRow, 'status' | 'bulk_group' | 'level' | 'chain'>,
): string | null {
  return r.status === 'pending' && r.bulk_group && !r.chain[r.level]?.step_up
    ? `${r.bulk_group}:${r.level}`
    : null;
}

/** The reminder time if one is still to be sent, else the deadline. */
export function nextTimer(r: RequestRow): Date | null {
  if (r.status !== 'pending' || r.level_due_at === null) return null;
  const due = new Date(r.level_due_at);
  const remindHours = r.chain[r.level]!.remind_before_hours;
  if (remindHours !== undefined && r.level_reminded_at === null && r.escalations === 0) {
    const remindAt = new Date(due.getTime() - remindHours * HOUR_MS);
    if (remindAt > new Date(r.level_started_at)) return remindAt;
  }
  return due;
}

export function dueAfter(now: Date, level: ApprovalLevel): Date {
  return new Date(now.getTime() + level.sla_hours * HOUR_MS);
}

/** Approvals needed to close a level with this many assignees. */
export function needed(level: ApprovalLevel, assignees: number): number {
  return level.required === 'all' ? Math.max(assignees, 1) : level.required;
}

export const approvalErrors = {
  notFound: (id: string) =>
    new CrossdockError('APPROVAL_NOT_FOUND', `No approval request ${id}`, {
      category: 'user',
      retryable: false,
    }),
  alreadyDecided: (id: string, status: string, at: string | null) =>
    new CrossdockError(
      'APPROVAL_ALREADY_DECIDED',
      `Approval request ${id} was already ${status}${at ? ` at ${at}` : ''}; the decision stands`,
      { category: 'user', retryable: false },
    ),
  runEnded: (id: string, runStatus: string) =>
    new CrossdockError(
      'APPROVAL_RUN_ENDED',
      `Approval request ${id} belongs to a run that is ${runStatus}; nothing waits for a decision`,
      { category: 'user', retryable: false },
    ),
  notAssigned: (id: string) =>
    new CrossdockError(
      'APPROVAL_NOT_ASSIGNED',
      `You are not an approver of request ${id} at its current level (nor anyone's delegate who is)`,
      { category: 'user', retryable: false },
    ),
  escalated: (id: string, at: string, to: string) =>
    new CrossdockError(
      'APPROVAL_ESCALATED',
      `Approval request ${id} was escalated away from you at ${at} (now with ${to}); your decision was not recorded`,
      { category: 'user', retryable: false },
    ),
  alreadyVoted: (id: string, level: string) =>
    new CrossdockError(
      'APPROVAL_ALREADY_VOTED',
      `A decision for this seat at level "${level}" of request ${id} is already recorded`,
      { category: 'user', retryable: false },
    ),
  reasonRequired: () =>
    new CrossdockError('APPROVAL_REASON_REQUIRED', 'A rejection needs a reason', {
      category: 'user',
      retryable: false,
      details: [{ path: 'reason', message: 'required when rejecting' }],
    }),
};

/** Segregation-of-duties refusals: who may not approve, and why. */
export const SodRule = {
  self: 'self',
  earlierLevel: 'earlier_level',
  conflict: 'conflict',
} as const;
export type SodRule = (typeof SodRule)[keyof typeof SodRule];

export function sodError(rule: SodRule, id: string, who: string): CrossdockError {
  const messages: Record<SodRule, [ErrorCode, string]> = {
    self: [
      'APPROVAL_SELF_APPROVAL',
      `${who} requested approval request ${id} and cannot approve it`,
    ],
    earlier_level: [
      'APPROVAL_SAME_APPROVER',
      `${who} already approved an earlier level of request ${id}; one person cannot approve two levels`,
    ],
    conflict: [
      'APPROVAL_CONFLICT_OF_INTEREST',
      `${who} is listed as conflicted for request ${id} and cannot decide it`,
    ],
  };
  const [code, message] = messages[rule];
  return new CrossdockError(code, message, { category: 'policy', retryable: false });
}
