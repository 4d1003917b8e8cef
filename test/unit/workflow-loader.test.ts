import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { builtInSteps } from '../../src/main.ts';
import {
  loadWorkflowDir,
  parseWorkflow,
  type DefinitionProblem,
} from '../../src/workflows/index.ts';

const steps = builtInSteps();
const problemsOf = (text: string): DefinitionProblem[] => {
  const result = parseWorkflow(text, 'wf.yaml', steps);
  assert.equal(result.ok, false, 'expected the workflow to be refused');
  return result.ok ? [] : result.problems;
};

const GOOD = `id: good
trigger: { event: a.b }
steps:
  - id: one
    type: transform
    with: { x: "= input.y" }
`;

describe('workflow files: precise errors naming file, line and path', () => {
  test('a valid file loads, with a content hash that ignores formatting and comments', () => {
    const a = parseWorkflow(GOOD, 'a.yaml', steps);
    const b = parseWorkflow(
      `# comment\n${GOOD.replace('{ event: a.b }', '\n  event: a.b')}`,
      'b.yaml',
      steps,
    );
    assert.ok(a.ok && b.ok);
    assert.equal(a.workflows[0]!.hash, b.workflows[0]!.hash);
    const c = parseWorkflow(GOOD.replace('input.y', 'input.z'), 'c.yaml', steps);
    assert.ok(c.ok);
    assert.notEqual(c.workflows[0]!.hash, a.workflows[0]!.hash);
  });

  test('malformed YAML names the line', () => {
    const [p] = problemsOf('id: x\nsteps:\n  - id: one\n    type: [transform\n');
    assert.equal(p!.file, 'wf.yaml');
    assert.match(p!.message, /^YAML syntax/);
    assert.equal(typeof p!.line, 'number');
  });

  test('a step type that does not exist names the step, its line and the known types', () => {
    const [p] = problemsOf(GOOD.replace('type: transform', 'type: odoo.teleport'));
    assert.equal(p!.path, 'steps[0].type');
    assert.equal(p!.line, 5);
    assert.match(
      p!.message,
      /unknown step type "odoo.teleport"; known types: .*http.request.*transform/,
    );
  });

  test('an expression that does not parse names where it is', () => {
    const [p] = problemsOf(GOOD.replace('= input.y', '= input.y +* 2'));
    assert.equal(p!.path, 'steps[0].with.x');
    assert.equal(p!.line, 6);
    assert.match(p!.message, /does not parse/);
  });

  test('a condition that does not parse is caught too', () => {
    const problems = problemsOf(`id: w
steps:
  - id: b
    type: branch
    with: { if: "input.(", then: b, else: b }
`);
    assert.equal(problems[0]!.path, 'steps[0].with.if');
  });

  test('edges to missing steps, duplicate ids and unknown keys in a step config are all listed', () => {
    const problems = problemsOf(`id: w
steps:
  - id: one
    type: transform
    next: nowhere
  - id: one
    type: log
    with: { message: hi, colour: red }
`);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    assert.match(byPath['steps[0].next']!, /no step with id "nowhere"/);
    assert.match(byPath['steps[1].id']!, /used twice/);
    assert.match(byPath['steps[1].with']!, /colour/);
  });

  test('a misspelt key is refused, not ignored', () => {
    const [p] = problemsOf(GOOD.replace('    with:', '    retry: { max_attemps: 3 }\n    with:'));
    assert.equal(p!.path, 'steps[0].retry');
    assert.match(p!.message, /max_attemps/);
    assert.equal(p!.line, 6);
  });

  test('a step configuration that does not fit its type is refused with the field path', () => {
    const [p] = problemsOf(`id: w
steps:
  - id: call
    type: http.request
    with: { method: FETCH, url: "ftp://x" }
`);
    assert.match(p!.path, /^steps\[0\]\.with\.(method|url)$/);
    assert.equal(p!.line, 5);
  });

  test('a folder is loaded whole; every problem of every file is listed, and duplicate workflow ids are refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-wf-'));
    writeFileSync(join(dir, 'a.yaml'), GOOD);
    writeFileSync(join(dir, 'b.yml'), GOOD);
    writeFileSync(
      join(dir, 'c.yaml'),
      GOOD.replace('id: good', 'id: other').replace('transform', 'nope'),
    );
    const result = loadWorkflowDir(dir, steps);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.problems.length, 2);
    assert.ok(result.problems.some((p) => p.file.endsWith('c.yaml') && p.path === 'steps[0].type'));
    assert.ok(result.problems.some((p) => /also defined in/.test(p.message)));
  });

  test('"= expr" is an expression; "=", "=like" and "=?" stay literal (Odoo domain operators)', () => {
    const result = parseWorkflow(
      GOOD.replace(
        '{ x: "= input.y" }',
        '{ x: "= input.y", domain: [["state", "=", "sale"], ["name", "=like", "S%"], ["ref", "=?", false]] }',
      ),
      'd.yaml',
      steps,
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  });

  test('a trigger schema that is not JSON Schema is refused', () => {
    const [p] = problemsOf(
      GOOD.replace('trigger: { event: a.b }', 'trigger: { event: a.b, schema: { type: 12 } }'),
    );
    assert.match(p!.path, /^trigger\.schema/);
  });
});
