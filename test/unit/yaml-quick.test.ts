/**
 * The faster YAML reader for workflow files (src/workflows/yaml-quick.ts) gives exactly what
 * `yaml` gives, or nothing (then `yaml` reads the file): on every shipped workflow and every
 * YAML block in the docs, on scalars at the edges of YAML 1.2's core schema, and on documents
 * that are wrong or that it must leave to `yaml`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { quickYaml } from '../../src/workflows/yaml-quick.ts';

/** What the loader read before: `yaml`'s document as JavaScript, or its first error. */
function byYaml(text: string): { value: unknown } | { error: string } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) return { error: doc.errors[0]!.message };
  try {
    return { value: doc.toJS() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The fast reader agrees with `yaml`, or leaves the text to it. */
function agrees(text: string): 'same' | 'left to yaml' {
  const quick = quickYaml(text);
  if (quick === undefined) return 'left to yaml';
  const full = byYaml(text);
  assert.ok(
    'value' in full,
    `yaml refuses ${JSON.stringify(text)} (${JSON.stringify(full)}); the fast reader gave ${JSON.stringify(quick)}`,
  );
  assert.deepStrictEqual(quick, full.value, `read differently: ${JSON.stringify(text)}`);
  return 'same';
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe('the fast YAML reader for workflow files', () => {
  test('reads every shipped workflow as yaml does, and takes none of them back to yaml', () => {
    const files = [...yamlFiles('packs'), ...yamlFiles('examples')];
    assert.ok(files.length >= 59, `${files.length} files`);
    for (const file of files)
      assert.equal(agrees(readFileSync(file, 'utf8')), 'same', `${file} left to yaml`);
  });

  test('reads every YAML block of the docs as yaml does', () => {
    let blocks = 0;
    for (const file of readdirSync('docs').filter((f) => f.endsWith('.md')))
      for (const match of readFileSync(`docs/${file}`, 'utf8').matchAll(
        /```yaml\n([\s\S]*?)```/g,
      )) {
        blocks++;
        agrees(match[1]!);
      }
    assert.ok(blocks >= 10, `${blocks} blocks`);
  });

  test('scalars at the edges of the core schema: the same value or left to yaml', () => {
    const scalars = [
      ...['1_000', '017', '0o17', '0o8', '0x1F', '0x_1F', '0b101', '+1', '-1', '-0', '+0', '08'],
      ...['.5', '+.5', '-.5', '1.', '1e3', '1E3', '1.5e-3', '1e', 'e3', '12345678901234567890'],
      ...['.inf', '-.Inf', '+.INF', '.NaN', '.nan', '.NAN', '0.0', '1,000', '1__0', '++1'],
      ...['~', 'null', 'Null', 'NULL', 'nULL', '', 'true', 'True', 'TRUE', 'tRUE', 'false'],
      ...['yes', 'no', 'on', 'off', 'y', 'n', 'Y', '2024-01-01', '2024-01-01T10:00:00Z'],
      ...['12:30', '1:30:00', '"quoted"', "'single'", '"1"', "'true'", '"\\x41\\u0042\\t"'],
      ...['foo # comment', '= a * b', '= a != b', "= 'a' & b", '[1, 2]', '{a: 1}', '[]', '{}'],
      ...['!!str 12', '!!int "12"', '!!float 1', '!!null ""', '!custom 1', '"a\\\n  b"'],
      ...['|\n  text\n  more', '>-\n  folded\n  text', '|+\n  kept\n\n', '>\n  a\n\n  b'],
    ];
    for (const s of scalars) agrees(`v: ${s}\n`);
    // The common ones take the fast path.
    for (const s of ['1', '-2', '1.5', 'true', 'null', '~', 'text', '"q"', '= a * b'])
      assert.equal(agrees(`v: ${s}\n`), 'same', s);
  });

  test('documents that are wrong, or that only yaml reads as it should, are left to yaml', () => {
    const leftToYaml = [
      'a: 1\na: 2\n', // a key twice
      'a: {b: 1, b: 2}\n',
      'a:\n\t- 1\n', // a tab as indentation
      'a: b: c\n',
      'a: "unterminated\n',
      'a: @x\n',
      'a: `x\n',
      'a:\n  b: 1\n c: 2\n',
      'a: *nope\n', // an alias of no anchor
      '---\na: 1\n---\nb: 2\n', // two documents
      '%YAML 1.1\n---\na: yes\n', // a directive
      '? [a, b]\n: c\n', // a collection as a key
      '[a, b]: c\n',
      'a: {[x]: 1}\n',
      'a: !!binary aGVsbG8=\n', // tags
      'a: !!timestamp 2024-01-01\n',
      'a: !!set {x}\n',
      'a: !local 1\n',
      'x: &a {b: 1}\ny: *a\n', // an alias of a collection
      // Nested aliases of collections: `yaml` refuses them past its alias count.
      'a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\ne: [*d, *d]\n',
      '', // yaml reads null, js-yaml nothing
    ];
    for (const text of leftToYaml)
      assert.equal(quickYaml(text), undefined, `not left to yaml: ${JSON.stringify(text)}`);
  });

  test('a block scalar is text: what would be a key in it does not send the file to yaml', () => {
    for (const text of [
      'a: |\n  ? not a key\n  [x]: text, !tag\nb: 1\n',
      'steps:\n  - with:\n      domain: >-\n        = c\n        ? [[1]] : [[2]]\n    next: x\n',
      'a: "? [x]: !y" # and a comment: {[z]: 1}\n',
    ])
      assert.equal(agrees(text), 'same', JSON.stringify(text));
    // Once the block scalar ends, its parent's level is structure again.
    assert.equal(quickYaml('a: |\n  text\n[x]: 1\n'), undefined);
    assert.equal(quickYaml('- a: >-\n    text\n  b: !local 1\n'), undefined);
  });

  test('anchors and aliases of scalars, keys named like object members: the same value', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      '__proto__: {polluted: 1}\nconstructor: 2\n',
      'list:\n- 1\n- - 2\n  - 3\n- {k: v}\n',
      'a: \'it\'\'s\'\nb: "say \\"hi\\""\n',
      'a: 1 # c\n# c2\nb:\n',
      '# only a comment\n',
      '<<: {a: 1}\nb: 2\n', // a merge key is a plain key in YAML 1.2, to both
      '# a comment, { with: braces }, [and: brackets]\nv: 1\n',
    ])
      assert.equal(agrees(text), 'same', JSON.stringify(text));
  });
});
