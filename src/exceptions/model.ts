import { z } from 'zod';
import { CrossdockError, type ErrorCode } from '../errors/index.ts';
import type { CaseRow as StoreCaseRow } from '../store/index.ts';

/** event_conflict and event_order are opened by the intake (a key reused with another payload, an event out of order). */
export const CaseType = {
  deadLetter: 'dead_letter',
  odooRefusal: 'odoo_refusal',
  raised: 'raised',
  check: 'check',
  eventConflict: 'event_conflict',
  eventOrder: 'event_order',
} as const;
export type CaseType = (typeof CaseType)[keyof typeof CaseType];
export const CASE_TYPES = Object.values(CaseType) as [CaseType, ...CaseType[]];

/**
 * open: needs a person. retrying: the queue re-ran the run and waits for its end (completed
 * closes it as resolved, failed opens it again). replayed: closed by a replay made outside
 * the queue (POST /runs/:id/replay). resolved: closed with a reason code.
 */
export const CaseStatus = {
  open: 'open',
  retrying: 'retrying',
  replayed: 'replayed',
  resolved: 'resolved',
} as const;
export type CaseStatus = (typeof CaseStatus)[keyof typeof CaseStatus];
export const CASE_STATUSES = Object.values(CaseStatus) as [CaseStatus, ...CaseStatus[]];

export const Severity = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
export const SEVERITIES = Object.values(Severity) as [Severity, ...Severity[]];

/** Why a case was closed: a closed set, so reports can count them. `fixed_by_retry` is the engine's. */
export const ReasonCode = {
  fixedBySource: 'fixed_in_source',
  dataCorrected: 'data_corrected',
  fixedByRetry: 'fixed_by_retry',
  handledManually: 'handled_manually',
  duplicate: 'duplicate',
  falseAlarm: 'false_alarm',
  wontFix: 'wont_fix',
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];
export const REASON_CODES = Object.values(ReasonCode) as [ReasonCode, ...ReasonCode[]];

/**
 * What a business case (a hold a workflow raised) can ask of its run: look again now, go on
 * with an approval, cancel the order, send a replacement for a damaged shipment, or send an
 * EDI document the partner never got again. A
 * workflow declares which of them a case offers (raise_exception's `actions`); each is sent
 * to the run as the signal `case.action`.
 */
export const CASE_ACTIONS = [
  'check_again',
  'release',
  'cancel',
  'reship',
  'book_by_hand',
  'resend',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];
/** The signal a case action is delivered as; its payload is { action, case_id, by, note }. */
export const CASE_ACTION_SIGNAL = 'case.action';

/**
 * Actions a failed run's case offers besides retry and replay, by the error its run failed
 * with. Its run has ended, so such an action is not a signal: the run is replayed from the
 * workflow's step `fromStep` with `case_action` ({ action, case_id, by, note, ...inputs })
 * added to its input, and that step's branch does the work. A workflow without the step
 * refuses the action (RUN_NOT_REPLAYABLE names the step).
 */
export const DEAD_LETTER_ACTIONS: Readonly<
  Record<string, { action: CaseAction; fromStep: string }>
> = {
  // Every carrier refused the booking: the operator booked by phone or on a carrier's portal.
  CARRIER_ALL_FAILED: { action: 'book_by_hand', fromStep: 'booked-by-hand' },
};

/**
 * The actions a case offers while it is open: retry and replay for a failed run, the
 * workflow's declared actions for a business case, none once closed. Resolve, assign and
 * comment are always there for an open case and are not listed.
 */
export function caseActions(
  r: Pick<CaseRow, 'kind' | 'run_id' | 'status' | 'details' | 'error_code'>,
): string[] {
  if (r.status !== 'open') return [];
  if (r.kind === 'run_failed' && r.run_id !== null) {
    const more = r.error_code === null ? undefined : DEAD_LETTER_ACTIONS[r.error_code];
    return more ? ['retry', 'replay', more.action] : ['retry', 'replay'];
  }
  const declared = (r.details as { actions?: unknown } | null)?.actions;
  if (r.run_id === null || !Array.isArray(declared)) return [];
  return CASE_ACTIONS.filter((a) => declared.includes(a));
}

/** What a case is about: an Odoo record, a shipment ... */
export const Subject = z.strictObject({
  model: z.string().min(1).max(200),
  id: z.union([z.string().max(200), z.number()]),
  name: z.string().max(500).optional(),
});
export type Subject = z.infer<typeof Subject>;

/** Defaults (docs/EXCEPTIONS.md); dead letters get theirs in the checkpoint SQL (src/store). */
export const DEFAULT_SLA_HOURS = 24;
export const HOUR_MS = 3_600_000;

/** A row of exception_cases, as the store reads it. */
export type CaseRow = StoreCaseRow;

/** What the API, the CLI and the dashboard show of a case. */
export interface CaseView {
  id: string;
  type: CaseType;
  status: CaseStatus;
  severity: Severity;
  title: string;
  workflowId: string | null;
  runId: string | null;
  stepId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  subject: Subject | null;
  owner: { team: string | null; userId: string | null };
  openedAt: string;
  dueAt: string | null;
  /** How long it has been open (until it closed, for a closed case). */
  ageMs: number;
  slaBreached: boolean;
  closedAt: string | null;
  reasonCode: string | null;
  /** What can be done to it now besides resolve / assign / comment (see caseActions). */
  actions: string[];
}

export interface CaseEvent {
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : new Date(d).toISOString();

export function toView(r: CaseRow, now: Date): CaseView {
  const openedAt = new Date(r.opened_at);
  const end = r.closed_at === null ? now : new Date(r.closed_at);
  return {
    id: String(r.id),
    type: r.type,
    status: r.status,
    severity: r.severity,
    title: r.title ?? `${r.kind} case ${r.id}`,
    workflowId: r.workflow_id,
    runId: r.run_id === null ? null : String(r.run_id),
    stepId: r.step_id,
    errorCode: r.error_code,
    errorMessage: r.error?.message ?? null,
    subject: r.subject,
    owner: {
      team: r.owner_team,
      userId: r.owner_user_id === null ? null : String(r.owner_user_id),
    },
    openedAt: openedAt.toISOString(),
    dueAt: iso(r.due_at),
    ageMs: Math.max(0, end.getTime() - openedAt.getTime()),
    slaBreached: r.due_at !== null && end > new Date(r.due_at),
    closedAt: iso(r.closed_at),
    reasonCode: r.reason_code,
    actions: caseActions(r),
  };
}

/** A root-cause group: same workflow, step and error code. Ids cannot hold ':', so the key splits back. */
export function groupKey(
  workflowId: string | null,
  stepId: string | null,
  errorCode: string | null,
): string {
  return [workflowId ?? '', stepId ?? '', errorCode ?? ''].join(':');
}

export function parseGroupKey(key: string): {
  workflowId: string | null;
  stepId: string | null;
  errorCode: string | null;
} {
  const parts = key.split(':');
  if (parts.length !== 3) throw exceptionErrors.groupInvalid(key);
  const [w, s, c] = parts.map((p) => (p === '' ? null : p));
  return { workflowId: w ?? null, stepId: s ?? null, errorCode: c ?? null };
}

const user = (code: ErrorCode, message: string, details?: { path: string; message: string }[]) =>
  new CrossdockError(code, message, {
    category: 'user',
    retryable: false,
    ...(details ? { details } : {}),
  });

export const exceptionErrors = {
  idInvalid: (id: string, what = 'an exception case id') =>
    user('EXCEPTION_ID_INVALID', `"${id}" is not ${what} (digits only)`),
  notFound: (id: string) => user('EXCEPTION_NOT_FOUND', `No exception case ${id}`),
  illegal: (id: string, status: string, action: string, why?: string) =>
    user(
      'EXCEPTION_ILLEGAL_TRANSITION',
      `Exception case ${id} is ${status}; it cannot be ${action}${why ? ` (${why})` : ''}`,
    ),
  notRetryable: (id: string, type: string, actions: string[] = []) =>
    user(
      'EXCEPTION_NOT_RETRYABLE',
      `Exception case ${id} is of type ${type} and has no failed run to retry; ${actions.length > 0 ? `use one of its actions (${actions.join(', ')}) or resolve it` : 'resolve it instead'}`,
    ),
  actionNotAllowed: (id: string, type: string, action: string, allowed: string[]) =>
    user(
      'EXCEPTION_ACTION_NOT_ALLOWED',
      `Exception case ${id} (${type}) does not offer "${action}"; it offers ${allowed.length === 0 ? 'no action now' : allowed.join(', ')}`,
      [{ path: 'action', message: `one of: ${allowed.join(', ') || 'none'}` }],
    ),
  groupInvalid: (key: string) =>
    user(
      'EXCEPTION_GROUP_INVALID',
      `"${key}" is not a root-cause group key (workflow:step:code, as GET /api/v1/exceptions/groups gives)`,
      [{ path: 'group', message: 'use a key from groups()' }],
    ),
  bulkNeedsCaseInputs: (action: string, inputs: string[]) =>
    user(
      'EXCEPTION_BULK_NEEDS_CASE_INPUTS',
      `"${action}" cannot be taken in bulk: it needs inputs of its own for each case (${inputs.join(', ')}); take it case by case. No case was changed`,
      [{ path: 'caseAction', message: `"${action}" needs per-case inputs: ${inputs.join(', ')}` }],
    ),
  bulkTarget: () =>
    user('EXCEPTION_BULK_TARGET', 'Name the cases: either ids or group (not both, not neither)', [
      { path: 'ids', message: 'ids or group' },
    ]),
};
