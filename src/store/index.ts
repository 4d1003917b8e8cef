export { openStore, redactUrl, type Store, type StoreConfig, type WakeReason } from './store.ts';
export { migrate, listMigrations } from './migrate.ts';
export * from './schema.ts';
export * from './event-queries.ts';
export * from './run-queries.ts';
export * from './checkpoint-queries.ts';
export * from './event-conflicts.ts';
export * from './event-order.ts';
export * from './storable-json.ts';
