export {
  AuditLog,
  type AuditEntry,
  type AuditInput,
  type AuditPage,
  type AuditSearch,
  type VerifyResult,
} from './log.ts';
export { canonicalJson, entryHash, GENESIS_HASH } from './chain.ts';
export { recordDeployments } from './deployments.ts';
export { auditIntake, type EventSender } from './intake.ts';
export { checkIntakeEntry, INTAKE_ACTION } from './intake-check.ts';
