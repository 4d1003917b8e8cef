// Which test files share a process. Each file node's test runner is given starts a process of
// its own, and a light file spends most of its CPU starting: node's own modules, compiling
// the bundle's shared chunks, PGlite's WebAssembly (about 0.5 s of CPU for a file whose
// tests take 0.1 s). Files of one folder are given to it in groups of up to GROUP_SIZE, one
// bundle importing each in turn: their tests run one file after another in one process.
//
// A file keeps a process of its own when it could reach into the next file's tests:
// - hooks at its top level for each test (`beforeEach`, `afterEach`), which would run around
//   the other files' tests too;
// - a change to process.env, which the other files would see;
// - in a folder of its own kind: PGlite's (directory locks, what one process holds),
//   PostgreSQL's and the chaos tests (processes killed), and the packs and the dashboard,
//   whose files each start a whole demo system and change process.env.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

const GROUP_SIZE = 4;
const OWN_PROCESS_FOLDERS = new Set(['pglite', 'postgres', 'chaos', 'packs', 'dashboard']);
const REACHES_OUT = [
  /^(beforeEach|afterEach)\(/m,
  /process\.env(\.\w+|\[[^\]]+\])\s*=[^=]/,
  /Object\.assign\(process\.env/,
  /delete process\.env/,
];

/** `files` in the same order, each a path, or a list of paths that share one process. */
export function groupTests(files) {
  const out = [];
  let group = [];
  const flush = () => {
    if (group.length > 0) out.push(group.length === 1 ? group[0] : group);
    group = [];
  };
  for (const file of files) {
    if (!shareable(file)) {
      out.push(file);
      continue;
    }
    if (group.length > 0 && dirname(group[0]) !== dirname(file)) flush();
    group.push(file);
    if (group.length === GROUP_SIZE) flush();
  }
  flush();
  return out;
}

function shareable(file) {
  if (OWN_PROCESS_FOLDERS.has(basename(dirname(file)))) return false;
  const text = readFileSync(file, 'utf8');
  return !REACHES_OUT.some((pattern) => pattern.test(text));
}
