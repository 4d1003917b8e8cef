export { openStore, redactUrl, type Store, type StoreConfig, type WakeReason } from './store.ts';
export { migrate, listMigrations } from './migrate.ts';
export * from './schema.ts';
export * from './event-queries.ts';
export * from './run-queries.ts';
export * from './checkpoint-queries.ts';
export { isStoreFault, mapStoreFault, storeFault, StoreFaultCode, STORE_RETRY_AFTER_MS } from './faults.ts';
