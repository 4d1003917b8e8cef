/**
 * The state directory: files Crossdock keeps of its own beside the database, all 0600 in a
 * 0700 folder. Back it up with the data directory (docs/OPERATIONS.md, "Backups").
 * The lock is not here: it belongs to the data directory it guards (`<data dir>/crossdock.lock`).
 */
export const STATE_FILES = {
  /** AES-256 key(s) sealing the secrets in the database (embedded store, no key configured). */
  secretsKey: 'secrets.key',
  /** API token for the CLI on this machine, while `start` holds the embedded store. */
  cliToken: 'cli-token',
  /** One-time code to create the first administrator; gone once one exists. */
  firstAdminCode: 'first-admin-code',
  /** Where the running API listens (url, pid, started-at), for the CLI; removed when it stops. */
  server: 'server.json',
} as const;
