// A second process for the lock tests: opens the embedded store at each path given and prints
// one JSON line per path ({ pid, path, outcome: 'opened' | <error code>, message }). With
// --hold it keeps the first store it opened (and writes a row through it) until stdin closes.
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/index.ts';

const hold = process.argv.includes('--hold');
const paths = process.argv.slice(2).filter((a) => a !== '--hold');
let held: Store | undefined;
for (const path of paths) {
  try {
    const store = await openStore({
      kind: 'pglite',
      dataDir: path,
      synchronous: false,
      vacuumIntervalMs: 3_600_000,
    });
    await sql`SELECT 1`.execute(store.db);
    if (hold && !held) held = store;
    else await store.close();
    console.log(JSON.stringify({ pid: process.pid, path, outcome: 'opened' }));
  } catch (error) {
    const e = error as { code?: string; message?: string };
    console.log(
      JSON.stringify({
        pid: process.pid,
        path,
        outcome: e.code ?? 'NO_CODE',
        message: e.message ?? String(error),
      }),
    );
  }
}
if (held) {
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await held.close();
}
