export { openStore, redactUrl, type Store, type StoreConfig, type WakeReason } from './store.ts';
export { migrate, listMigrations } from './migrate.ts';
export { IN_MEMORY } from './in-memory.ts';
export {
  describeRepairs,
  privateDirectory,
  restrictNewFiles,
  securePrivateTree,
  type ModeRepair,
} from './private-files.ts';
export { LOCK_FILE } from './lock-file.ts';
export type { LockWait, StepLocks } from './step-locks.ts';
export { loadPgDriver, type PgDriver } from './pg-driver.ts';
export * from './schema.ts';
export * from './event-queries.ts';
export * from './run-queries.ts';
export * from './checkpoint-queries.ts';
export * from './engine-cases.ts';
export * from './event-conflicts.ts';
export * from './event-order.ts';
export * from './storable-json.ts';
export {
  isStoreFault,
  mapStoreFault,
  storeFault,
  StoreFaultCode,
  STORE_RETRY_AFTER_MS,
} from './faults.ts';
export * from './run-control.ts';
export * from './case-queries.ts';
export * from './workflow-versions.ts';
export * from './event-reads.ts';
export * from './reconcile-reads.ts';
export * from './pack-outcomes.ts';
export * from './pack-outcomes-goods.ts';
export type { OutcomeRange } from './pack-outcome-runs.ts';
