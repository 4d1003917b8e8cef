// Where a test run keeps its temporary files (TMPDIR of every test process and of what they
// start). Tests make and delete thousands of files: an embedded database is 1,200 files and
// 41 MB, copied for every new data directory and test store. On a disk file system that
// copying costs about a second of kernel CPU per store on this project's 2-core machines; in
// memory (tmpfs, /dev/shm) a tenth of that (bench/RESULTS.md, docs/decisions/0064).
//
// CROSSDOCK_TEST_TMPDIR names the parent folder; otherwise /dev/shm when it is a writable
// tmpfs with room, else the system's temporary folder. Each run has its own folder in it,
// removed when the run ends; folders of runs that did not end are removed by the next one.
import { accessSync, chmodSync, constants, mkdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeAbandonedRuns } from './run-folders.mjs';

const PREFIX = 'crossdock-test-run-';
/** Room a run may need at its peak (a few stores and instances per test process, two at a time). */
const NEEDED_BYTES = 4 * 1024 ** 3;
const TMPFS_MAGIC = 0x01021994;

export function testTmpdir() {
  const parent = process.env.CROSSDOCK_TEST_TMPDIR || (memoryFolder('/dev/shm') ?? tmpdir());
  removeAbandonedRuns(parent, PREFIX);
  const path = join(parent, `${PREFIX}${process.pid}`);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o1777); // like /tmp: tests run some commands as another user
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

function memoryFolder(path) {
  try {
    accessSync(path, constants.W_OK);
    const fs = statfsSync(path);
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= NEEDED_BYTES ? path : null;
  } catch {
    return null;
  }
}
