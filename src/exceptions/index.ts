export { actionInputs, checkActionInputs, type ActionInput } from './action-inputs.ts';
export type { ActionCheck } from './case-act.ts';
export { bulkAct, BULK_MAX, type BulkRequest, type BulkResult } from './bulk.ts';
export type { FailedStep, RunOfCase } from './detail.ts';
export {
  CASE_ACTION_SIGNAL,
  CASE_ACTIONS,
  type CaseAction,
  DEAD_LETTER_ACTIONS,
  CASE_STATUSES,
  CASE_TYPES,
  CaseStatus,
  CaseType,
  DEFAULT_SLA_HOURS,
  REASON_CODES,
  ReasonCode,
  SEVERITIES,
  Severity,
  Subject,
  groupKey,
  parseGroupKey,
  type CaseEvent,
  type CaseView,
} from './model.ts';
export type { CaseFilter } from './queries.ts';
export {
  ExceptionsService,
  OpenCaseInput,
  type Actor,
  type CaseDetail,
  type ExceptionsOptions,
} from './service.ts';
export {
  raiseExceptionStep,
  RaiseExceptionConfig,
  resolveCaseStep,
  updateCaseStep,
} from './step.ts';
export { UndeliveredNotices, undeliveredKey } from './undelivered.ts';
export { auditCaseEvents } from './case-audit.ts';
export { noEligibleApproverCase, noEligibleApproverKey } from './unassigned-approvals.ts';
