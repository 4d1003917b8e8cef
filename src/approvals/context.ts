import { sql } from 'kysely';
import type { AuditLog } from '../audit/index.ts';
import type { TotpCheck } from '../auth/index.ts';
import type { ApprovalLevel, Subject } from './definition.ts';
import type { ApproverDirectory, Assignee } from './directory.ts';
import type { ApprovalLinks } from './links.ts';
import {
  approvalErrors,
  type ApprovalView,
  type Db,
  type RequestRow,
  type SodRule,
} from './model.ts';

/** One message to one approver; the composition root renders and queues it (the outbox). */
export interface ApprovalNotice {
  /** Dedupe key: the same notice is never queued twice. */
  key: string;
  kind: 'request' | 'reminder' | 'escalated';
  to: Assignee;
  /** Set when `to` decides for someone else (delegation). */
  onBehalfOf: Assignee | null;
  request: ApprovalView;
  /** One-time decision links bound to `to`; null when links are off. */
  links: { approve: string; reject: string } | null;
}
/** Queues the notice (resolves void), or says why it was not sent: `{ skipped: reason }`. */
export type ApprovalNotifier = (
  notice: ApprovalNotice,
  tx: Db,
) => Promise<void | { skipped: string }>;
/** Told, in the request's transaction, that a level started with nobody who may decide it. */
export type NoEligibleApproverHandler = (
  request: ApprovalView,
  excluded: { userId: string; rule: SodRule }[],
  tx: Db,
) => Promise<void>;

/** Checks a decider's one-time code in the decision's transaction (auth's TotpFactors). */
export interface SecondFactor {
  status(userId: string, db: Db): Promise<{ enrolled: boolean }>;
  check(tx: Db, userId: string, code: string): Promise<TotpCheck>;
}

export interface ApprovalsOptions {
  db: Db;
  now: () => Date;
  /** Tells this process's workers that a run may continue (after the commit). */
  wake: () => Promise<void>;
  audit?: AuditLog;
  notify?: ApprovalNotifier;
  /** A level with no eligible approver (an empty group, or everyone excluded by segregation of duties). */
  onNoEligibleApprover?: NoEligibleApproverHandler;
  /** Where decision links point, e.g. http://crossdock.example.com; no links without it. */
  linkBaseUrl?: () => string | null;
  linkTtlHours?: number;
  /** Checks the codes of levels with `step_up: true`; without it such levels cannot be decided. */
  secondFactor?: SecondFactor;
}

export interface OpenRequest {
  stepKey: string;
  runId: string;
  workflowId: string;
  stepId: string;
  subject: Subject;
  summary: string;
  policy: unknown;
  requester: string | null;
  conflicts: string[];
  chain: ApprovalLevel[];
  /** May it be approved together with identical requests (the step's `bulk`, from its policy)? */
  bulk?: boolean;
}

export interface Decider {
  userId: string;
  email: string;
  /** How the audit log names them. */
  actor: string;
}

/** What the approval modules share: the service's options, its directory and its links. */
export interface ApprovalsContext {
  readonly o: ApprovalsOptions;
  readonly directory: ApproverDirectory;
  readonly links: ApprovalLinks;
}

/** One history row (approval_actions) for the request at its current level. */
export async function record(
  c: ApprovalsContext,
  tx: Db,
  r: RequestRow,
  a: {
    action: string;
    actor: string;
    userId?: string;
    onBehalfOf?: string | null;
    via: string;
    reason?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await sql`INSERT INTO approval_actions (request_id, at, level, action, actor, user_id, on_behalf_of, via, reason, details)
      VALUES (${r.id}, ${c.o.now()}, ${r.level}, ${a.action}, ${a.actor}, ${a.userId ?? null}, ${a.onBehalfOf ?? null}, ${a.via}, ${a.reason ?? null}, ${JSON.stringify(a.details ?? {})}::jsonb)`.execute(
    tx,
  );
}

export async function requestRow(
  db: Db,
  by: { id?: string; stepKey?: string },
  lock = false,
): Promise<RequestRow> {
  if (by.id !== undefined && !/^\d{1,18}$/.test(by.id)) throw approvalErrors.notFound(by.id);
  const row = (
    await sql<RequestRow>`SELECT * FROM approval_requests WHERE ${by.id !== undefined ? sql`id = ${by.id}` : sql`step_key = ${by.stepKey}`}
      ${lock ? sql`FOR UPDATE` : sql``}`.execute(db)
  ).rows[0];
  if (!row) throw approvalErrors.notFound(by.id ?? by.stepKey!);
  return row;
}

export async function closeRequest(
  tx: Db,
  r: RequestRow,
  status: 'approved' | 'rejected',
  now: Date,
  reason: string | null,
): Promise<void> {
  await sql`UPDATE approval_requests SET status = ${status}, decided_at = ${now}, decision_reason = ${reason} WHERE id = ${r.id}`.execute(
    tx,
  );
}
