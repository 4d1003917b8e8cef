import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupFiles, suiteWrapped } from '../../scripts/test-groups.mjs';

const FILE = [
  "import assert from 'node:assert/strict';",
  'import {',
  '  test,',
  "} from 'node:test';",
  '',
  'const answer = 42;',
  "test('x', () => assert.equal(answer, 42));",
  '',
].join('\n');

test('a test file is wrapped in a suite named after its path, on the lines it had', () => {
  const wrapped = suiteWrapped('/repo/test/unit/x.test.ts', FILE, '/repo');
  assert.ok(wrapped);
  const lines = wrapped.split('\n');
  assert.match(
    lines[0]!,
    /^import \{ describe as __crossdockFile \} from 'node:test'; import assert/,
  );
  assert.equal(lines[3], `} from 'node:test'; __crossdockFile("test/unit/x.test.ts", () => {`);
  assert.equal(lines[6], FILE.split('\n')[6], 'the first test is on the line it was');
  assert.equal(lines.at(-2), '});');
});

test('a file with an export, or an import after a statement, is left alone', () => {
  assert.equal(suiteWrapped('/r/a.test.ts', `${FILE}export const y = 1;\n`, '/r'), null);
  assert.equal(suiteWrapped('/r/a.test.ts', `${FILE}import 'node:fs';\n`, '/r'), null);
});

test('files are grouped in order, a size at a time; size 1 leaves every file alone', () => {
  const here = new URL(import.meta.url).pathname;
  const own = [here, here, here, here, here];
  assert.deepEqual(
    groupFiles(own, 2, '/').groups.map((g) => g.length),
    [2, 2, 1],
  );
  const alone = groupFiles(own, 1, '/');
  assert.deepEqual(
    alone.groups.map((g) => g.length),
    [1, 1, 1, 1, 1],
  );
  assert.equal(alone.wrapped.size, 0);
});

test('a file that asks for a process of its own gets one', () => {
  const here = new URL(import.meta.url).pathname;
  const alone = new URL('./edi-inbox-timers.test.ts', import.meta.url).pathname;
  const { groups, wrapped } = groupFiles([here, alone, here], 2, '/');
  assert.deepEqual(groups, [[alone], [here, here]]);
  assert.equal(wrapped.has(alone), false);
});
