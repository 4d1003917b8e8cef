// The order the test files start in: the longest first, by how long each took the last time
// it ran here. node's runner starts files in the order it is given, a few at a time; a long
// file started near the end keeps the run going after the others have finished, so the
// longest go first (as Jest does). A file with no time on record goes first too: it may be
// long. Without a record (a new machine), the order is the folders' alphabetical one.
//
// The default export is a test reporter that prints nothing and, at the end, records each
// file's time: the sum of its top-level tests' durations, per store (CROSSDOCK_TEST_STORE),
// kept with the test bundles under node_modules/.cache, outside the sources.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RECORD = join(
  ROOT,
  'node_modules',
  '.cache',
  'crossdock-tests',
  `durations-${process.env.CROSSDOCK_TEST_STORE ?? 'pglite'}.json`,
);

/** File (relative to the project) -> milliseconds, as last recorded; empty when none is. */
function recorded() {
  try {
    return JSON.parse(readFileSync(RECORD, 'utf8'));
  } catch {
    return {};
  }
}

/** `files` (paths of *.test.ts), the longest on record first; the sort is stable. */
export function longestFirst(files) {
  const ms = recorded();
  const known = (file) => ms[relative(ROOT, resolve(file))];
  return [...files].sort((a, b) => (known(b) ?? Infinity) - (known(a) ?? Infinity));
}

const took = {};

export default new Transform({
  writableObjectMode: true,
  transform(event, _encoding, done) {
    const { data } = event;
    if (
      (event.type === 'test:pass' || event.type === 'test:fail') &&
      data.nesting === 0 &&
      data.file &&
      data.details?.duration_ms !== undefined
    ) {
      const file = relative(ROOT, data.file);
      took[file] = (took[file] ?? 0) + data.details.duration_ms;
    }
    done();
  },
  flush(done) {
    if (Object.keys(took).length > 0) write();
    done();
  },
});

/** Files not run this time keep their time; the record is replaced whole (a run beside this one may write it too). */
function write() {
  const merged = { ...recorded() };
  for (const [file, ms] of Object.entries(took)) merged[file] = Math.round(ms);
  mkdirSync(dirname(RECORD), { recursive: true });
  const temporary = `${RECORD}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(merged, null, 1)}\n`);
  renameSync(temporary, RECORD);
}
