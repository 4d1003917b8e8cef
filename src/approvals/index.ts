export { BULK_MAX, type BulkDecision, type BulkOutcome } from './bulk.ts';
export {
  ApprovalConfig,
  ApprovalLevel,
  Approvers,
  EscalationTarget,
  Subject,
  levelsOf,
} from './definition.ts';
export {
  ApproverDirectory,
  ProfileInput,
  type Assignee,
  type Delegation,
  type Profile,
} from './directory.ts';
export { ApprovalLinks, type LinkInfo } from './links.ts';
export {
  ApprovalStatus,
  type ApprovalAction,
  type ApprovalView,
  type Decision,
  type DecisionVia,
} from './model.ts';
export {
  ApprovalsService,
  type ApprovalNotice,
  type ApprovalNotifier,
  type ApprovalsOptions,
  type Decider,
  type OpenRequest,
  type SecondFactor,
} from './service.ts';
export { approvalStep, type ApprovalMirror, type MirrorStage, type MirrorState } from './step.ts';
