/**
 * The simulators (sim/), the demo (src/demo/) and its mail server (smtp-server) are loaded
 * only by the commands that run them (`demo`, `sim`), and only by dynamic import. The CLI's
 * entry loads each command's module when that command runs, so `migrate`, `runs` and every
 * other command load none of them. A type-only import (`import type`) is erased and allowed;
 * an `import { type X }` is not (verbatimModuleSyntax keeps the import).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const STATIC_IMPORT =
  /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
const PACKAGE_IMPORT =
  /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^.'"][^'"]*)['"]/gm;
const DYNAMIC_IMPORT = /await import\('(\.\/[^']+)'\)/g;
const CLI = resolve(ROOT, 'src/cli');

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
  assert.deepEqual(
    [...sample.matchAll(STATIC_IMPORT)].map((m) => m[1]),
    ['./a.ts', './c.ts', './d.ts', './f.ts'],
  );
});

/** The chains from `entry` that reach a file `matches` picks, or a module importing a package it picks. */
function reaching(
  entry: string,
  file: (path: string) => boolean,
  pkg: (name: string) => boolean,
): string[] {
  const chains: string[] = [];
  for (const [path, chain] of staticGraph(entry)) {
    const shown = chain.map((f) => relative(ROOT, f)).join(' -> ');
    if (file(relative(ROOT, path))) chains.push(shown);
    for (const match of readFileSync(path, 'utf8').matchAll(PACKAGE_IMPORT))
      if (pkg(match[1]!)) chains.push(`${shown} -> ${match[1]}`);
  }
  return chains;
}

/** The command modules src/cli/main.ts loads when a command runs. */
const commandModules = [
  ...new Set(
    [...readFileSync(resolve(CLI, 'main.ts'), 'utf8').matchAll(DYNAMIC_IMPORT)].map((m) =>
      resolve(CLI, m[1]!),
    ),
  ),
];

test('the CLI entry loads each command when it runs: --help loads no command, store or engine', () => {
  assert.ok(
    commandModules.includes(resolve(CLI, 'migrate.ts')) &&
      commandModules.includes(resolve(CLI, 'runs.ts')) &&
      commandModules.includes(resolve(CLI, 'demo.ts')),
    'the walk finds the commands',
  );
  assert.deepEqual(
    reaching(
      resolve(CLI, 'main.ts'),
      (f) =>
        !f.startsWith('src/cli/') && !f.startsWith('src/config/') && !f.startsWith('src/errors/'),
      () => false,
    ),
    [],
  );
});

test('no command loads sim/, the demo or its mail server, except by dynamic import in `demo` and `sim`', () => {
  assert.equal(commandModules.length > 10, true, `commands found: ${commandModules.length}`);
  for (const entry of commandModules) {
    const demoOrSim = entry === resolve(CLI, 'demo.ts') || entry === resolve(CLI, 'sim.ts');
    // `sim` prints the simulators' configuration with the demo's sim-config.ts (no simulator in it).
    const forbidden = (f: string) =>
      f.startsWith('sim/') ||
      (f.startsWith('src/demo/') && !(demoOrSim && f === 'src/demo/sim-config.ts'));
    assert.deepEqual(
      reaching(entry, forbidden, (name) => name === 'smtp-server'),
      [],
      relative(ROOT, entry),
    );
  }
  assert.doesNotMatch(readFileSync(resolve(ROOT, 'bin/crossdock.js'), 'utf8'), /sim\//);
});

test('commands that serve no HTTP (migrate, runs, events) do not load the HTTP server: createCrossdock loads it in listen()', () => {
  for (const entry of [resolve(CLI, 'migrate.ts'), resolve(CLI, 'runs.ts')]) {
    assert.deepEqual(
      reaching(
        entry,
        (f) => f === 'src/api/server.ts',
        (name) => name === 'fastify' || name.startsWith('@fastify/'),
      ),
      [],
      relative(ROOT, entry),
    );
  }
});

test('runs and events load the store, the engine and the composition root only when no server answers (dynamic import)', () => {
  const instance = (f: string) =>
    f === 'src/main.ts' ||
    (f.startsWith('src/store/') && f !== 'src/store/private-files.ts') ||
    f.startsWith('src/engine/') ||
    f.startsWith('src/observability/');
  const database = (name: string) =>
    name === 'kysely' || name === 'pg' || name.startsWith('@electric-sql/');
  assert.deepEqual(reaching(resolve(CLI, 'runs.ts'), instance, database), []);
  assert.match(
    readFileSync(resolve(CLI, 'operations.ts'), 'utf8'),
    /import\('\.\.\/main\.ts'\)/,
    'the direct path loads the instance when it runs',
  );
});
