/**
 * The simulators (sim/) are test and demo code. The CLI loads them only inside the commands
 * that run them (`demo`, `sim`), by dynamic import: no module that `bin/crossdock.js` loads
 * statically reaches sim/. A type-only import (`import type`) is erased and allowed; an
 * `import { type X }` is not (verbatimModuleSyntax keeps the import).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every local module reached from `entry` through static, non-type imports, each with the chain that reaches it. */
function staticGraph(entry: string): Map<string, string[]> {
  const reached = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const target = resolve(dirname(file), match[1]!);
      if (reached.has(target) || !/\.(ts|js|mjs)$/.test(target)) continue;
      reached.set(target, [...reached.get(file)!, target]);
      queue.push(target);
    }
  }
  return reached;
}

test('the pattern sees static imports and re-exports, and skips type-only and dynamic ones', () => {
  const sample = `import { a } from './a.ts';\nimport type { B } from './b.ts';\nexport { c } from './c.ts';\nimport './d.ts';\nconst e = await import('./e.ts');\nimport {\n  f,\n  type G,\n} from './f.ts';`;
  assert.deepEqual([...sample.matchAll(STATIC_IMPORT)].map((m) => m[1]), ['./a.ts', './c.ts', './d.ts', './f.ts']);
});

test('no CLI command loads sim/ code: nothing bin/crossdock.js imports statically reaches it', () => {
  const graph = staticGraph(resolve(ROOT, 'src/cli/main.ts'));
  assert.ok(graph.has(resolve(ROOT, 'src/cli/sim.ts')) && graph.has(resolve(ROOT, 'src/cli/demo.ts')), 'the walk reaches the commands');
  const intoSim = [...graph.entries()].filter(([file]) => relative(ROOT, file).startsWith('sim/')).map(([, chain]) => chain.map((f) => relative(ROOT, f)).join(' -> '));
  assert.deepEqual(intoSim, []);
  assert.doesNotMatch(readFileSync(resolve(ROOT, 'bin/crossdock.js'), 'utf8'), /sim\//);
});
