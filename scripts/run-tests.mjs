#!/usr/bin/env node
// Runs node's test runner over test files found under the given folders.
// Node 20's `node --test` does not expand glob patterns, so we list the files here.
// Usage: node scripts/run-tests.mjs <dir-or-file> [<dir-or-file> ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function listTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: run-tests.mjs <dir> [<dir> ...]');
  process.exit(2);
}
const files = dirs.flatMap((path) => (statSync(path).isDirectory() ? listTests(path) : [path]));
if (files.length === 0) {
  console.error(`no *.test.ts files under ${dirs.join(', ')}`);
  process.exit(2);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
