// Creates a PGlite data directory in a child process, so that the ~800 MB that a
// first-time initdb leaves behind goes away with this process instead of staying in
// the long-running one. Usage: node pglite-init.mjs <dataDir>
import { PGlite } from '@electric-sql/pglite';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: pglite-init.mjs <dataDir>');
  process.exit(2);
}
const db = new PGlite(dataDir);
await db.waitReady;
await db.query('select 1');
await db.close();
