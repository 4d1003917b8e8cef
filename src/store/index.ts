export { openStore, redactUrl, type Store, type StoreConfig, type WakeReason } from './store.ts';
export { migrate, listMigrations } from './migrate.ts';
export { describeRepairs, privateDirectory, restrictNewFiles, securePrivateTree, type ModeRepair } from './private-files.ts';
export { LOCK_FILE } from './lock-file.ts';
export * from './schema.ts';
export * from './event-queries.ts';
export * from './run-queries.ts';
export * from './checkpoint-queries.ts';
