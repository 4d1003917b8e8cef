/**
 * The data directory that stands for an embedded database kept in memory, in PGlite's own
 * spelling: nothing of it is written to disk, and it is gone when its store closes. For
 * throwaway instances (a test's store, a trial); it starts at the current schema
 * (pglite.ts, `openMemoryPglite`).
 */
export const IN_MEMORY = 'memory://';
