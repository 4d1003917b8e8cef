// A process of its own for the step-lock tests: holds `count` different keys at once on one
// lock session (argv: <database url> <count>), then prints "held <count>". Started with
// --throw-deprecation, it fails if the session ever gives its connection a second query
// while one is in flight (deprecated by pg 8, refused by pg 9).
import { loadPgDriver } from '../../src/store/index.ts';
import { serverStepLocks } from '../../src/store/step-locks.ts';

const [url, count] = process.argv.slice(2);
const locks = serverStepLocks(await loadPgDriver(), url!);
const held = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    locks.hold(`child:${process.pid}:${i}`, { waitMs: 10_000 }, async () => i),
  ),
);
await locks.close();
console.log(`held ${held.length}`);
