import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  loadPolicyDirs,
  parsePolicy,
  PolicyRegistry,
  type PolicyProblem,
} from '../../src/policies/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { loadFolder } from '../../src/cli/policies.ts';
import { oneTable, packPolicies, stepsWith, tempFolder } from './support.ts';

const problemsOf = (text: string, file = 'policies/tier.json'): PolicyProblem[] => {
  const result = parsePolicy(text, file);
  assert.equal(result.ok, false, 'expected the policy to be refused');
  return result.ok ? [] : result.problems;
};

describe('policy files: refused at load time with file, line, rule row and column', () => {
  test('the shipped policies load, each with a content hash as version', () => {
    const registry = packPolicies();
    assert.deepEqual(registry.ids(), [
      'carrier-choice',
      'inventory-adjustment',
      'invoice-release',
      'order-release-tier',
      'purchase-authorization',
      'reship-approval',
      'return-refund',
      'supplier-delay-customer',
      'supplier-delay-severity',
      'vendor-bill-match',
      'vendor-bill-tolerance',
      'vendor-return',
    ]);
    for (const policy of registry.list()) assert.match(policy.version, /^[0-9a-f]{16}$/);
    const a = parsePolicy(oneTable(), 'a.json', 'x');
    const b = parsePolicy(JSON.stringify(JSON.parse(oneTable())), 'b.json', 'x'); // other formatting, same content
    assert.ok(a.ok && b.ok);
    assert.equal(a.policies[0]!.version, b.policies[0]!.version);
  });

  test('an input cell that does not parse names the row (1-based) and the input field', () => {
    const [p, ...more] = problemsOf(
      oneTable({
        rules: [
          { _id: 'ok', amount: '> 5', tier: '"a"' },
          { _id: 'broken', amount: '>= ', tier: '"b"' },
        ],
      }),
    );
    assert.deepEqual(more, []);
    assert.equal(p!.file, 'policies/tier.json');
    assert.equal(p!.row, 2);
    assert.equal(p!.column, 'amount');
    assert.equal(p!.path, 'nodes[1].content.rules[1].amount');
    assert.equal(typeof p!.line, 'number');
    assert.match(p!.message, /^rule 2, input "amount": ">= " does not parse/);
  });

  test('an output cell that does not parse names the row and the output field', () => {
    const [p] = problemsOf(oneTable({ rules: [{ _id: 'r1', amount: '', tier: '"unterminated' }] }));
    assert.equal(p!.row, 1);
    assert.equal(p!.column, 'tier');
    assert.match(p!.message, /^rule 1, output "tier"/);
  });

  test('the line is the line of the cell in the file', () => {
    const text = oneTable({
      rules: [
        { _id: 'r1', amount: '> 1', tier: '"a"' },
        { _id: 'r2', amount: '< 1 and', tier: '"b"' },
      ],
    });
    const [p] = problemsOf(text);
    const expected = text.split('\n').findIndex((l) => l.includes('"< 1 and"')) + 1;
    assert.equal(p!.line, expected);
  });

  test('a table without outputs, duplicate rule ids, and cells of no column are refused', () => {
    assert.match(
      problemsOf(oneTable({ outputs: [], rules: [] }))[0]!.message,
      /at least one output column/,
    );
    const dup = problemsOf(
      oneTable({
        rules: [
          { _id: 'same', amount: '> 1', tier: '"a"' },
          { _id: 'same', amount: '', tier: '"b"' },
        ],
      }),
    );
    assert.match(dup[0]!.message, /rule 2: _id "same" is also used by rule 1/);
    const stray = problemsOf(
      oneTable({ rules: [{ _id: 'r1', amount: '', tier: '"a"', colour: '"red"' }] }),
    );
    assert.match(stray[0]!.message, /"colour" is not a column/);
  });

  test('missing input or output nodes, duplicate node ids and dangling edges are refused', () => {
    const noInput = problemsOf(
      oneTable({ nodes: (n) => n.filter((x) => (x as { type: string }).type !== 'inputNode') }),
    );
    assert.ok(noInput.some((p) => /no input node/.test(p.message)));
    const noOutput = problemsOf(
      oneTable({ nodes: (n) => n.filter((x) => (x as { type: string }).type !== 'outputNode') }),
    );
    assert.ok(noOutput.some((p) => /no output node/.test(p.message)));
    const dupNode = problemsOf(
      oneTable({ nodes: (n) => [...n, { id: 't', type: 'outputNode', name: 'Again' }] }),
    );
    assert.ok(
      dupNode.some((p) => /node id "t" is also used/.test(p.message) && p.path === 'nodes[3].id'),
    );
  });

  test('function nodes (JavaScript) are refused; expression nodes are compiled', () => {
    const fn = problemsOf(
      oneTable({
        nodes: (n) => [
          ...n,
          {
            id: 'f',
            type: 'functionNode',
            name: 'Fn',
            content: { source: 'export const handler = () => ({})' },
          },
        ],
      }),
    );
    assert.ok(
      fn.some((p) => p.path === 'nodes[3].type' && /function nodes run JavaScript/.test(p.message)),
    );
    const expr = problemsOf(
      oneTable({
        nodes: (n) => [
          ...n,
          {
            id: 'x',
            type: 'expressionNode',
            name: 'Calc',
            content: { expressions: [{ id: 'e', key: 'double', value: 'amount *' }] },
          },
        ],
      }),
    );
    assert.equal(expr[0]!.path, 'nodes[3].content.expressions[0].value');
    assert.match(expr[0]!.message, /expression "double": "amount \*" does not parse/);
  });

  test('JSON syntax errors name the line', () => {
    const [p] = problemsOf('{\n  "nodes": [\n    { "id": "in", }\n  ]\n}\n');
    assert.match(p!.message, /^JSON syntax/);
    assert.equal(typeof p!.line, 'number');
  });

  test('two files with the same id (in different policy folders) are refused, naming both', () => {
    const folder = tempFolder({
      'a/policies/tier.json': oneTable(),
      'b/policies/tier.json': oneTable(),
    });
    try {
      const result = loadPolicyDirs([`${folder.dir}/a/policies`, `${folder.dir}/b/policies`]);
      assert.equal(result.ok, false);
      if (!result.ok)
        assert.match(
          result.problems[0]!.message,
          /policy id "tier" is also defined in .*a\/policies\/tier\.json/,
        );
    } finally {
      folder.dispose();
    }
  });

  test('policy folders: every policies folder inside the workflow folder, and beside it only when it is named workflows', () => {
    const folder = tempFolder({
      'workflows/a/policies/a.json': oneTable(),
      'policies/b.json': oneTable(),
      'flows/c.yaml': '',
      'other/x.txt': '',
    });
    try {
      const ids = (dir: string) => {
        const registry = new PolicyRegistry();
        assert.deepEqual(registry.loadFor(dir), []);
        return registry.ids();
      };
      assert.deepEqual(ids(`${folder.dir}/workflows`), ['a', 'b']);
      assert.deepEqual(ids(`${folder.dir}/flows`), []);
      assert.deepEqual(ids(folder.dir), ['a', 'b']);
    } finally {
      folder.dispose();
    }
  });

  test('a registry keeps its policies when a reload finds problems', () => {
    const folder = tempFolder({ 'workflows/.keep': '', 'policies/tier.json': oneTable() });
    try {
      const registry = new PolicyRegistry();
      assert.deepEqual(registry.loadFor(`${folder.dir}/workflows`), []);
      assert.deepEqual(registry.ids(), ['tier']);
      const broken = tempFolder({
        'workflows/.keep': '',
        'policies/tier.json': oneTable({ rules: [{ _id: 'r', amount: '>', tier: '"x"' }] }),
      });
      try {
        assert.equal(registry.loadFor(`${broken.dir}/workflows`).length, 1);
        assert.deepEqual(registry.ids(), ['tier']);
      } finally {
        broken.dispose();
      }
    } finally {
      folder.dispose();
    }
  });
});

describe('decide steps: the policy must exist when the workflow loads', () => {
  const workflow = (policy: string) => `id: uses-policy
trigger: { event: a.b }
steps:
  - id: tier
    type: decide
    with:
      policy: ${policy}
      input: { amount_total: "= input.amount" }
`;

  test('an unknown policy id is a problem of the workflow: file, line and path', () => {
    const result = parseWorkflow(
      workflow('order-release-teir'),
      'wf.yaml',
      stepsWith(packPolicies()),
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.problems.map((p) => ({ file: p.file, line: p.line, path: p.path })),
      [{ file: 'wf.yaml', line: 7, path: 'steps[0].with.policy' }],
    );
    assert.match(
      result.problems[0]!.message,
      /no policy "order-release-teir"; known policies: carrier-choice, inventory-adjustment, invoice-release, order-release-tier/,
    );
  });

  test('a known id, or an expression (checked when the step runs), is accepted', () => {
    assert.ok(
      parseWorkflow(workflow('order-release-tier'), 'wf.yaml', stepsWith(packPolicies())).ok,
    );
    assert.ok(parseWorkflow(workflow('"= input.policy"'), 'wf.yaml', stepsWith(packPolicies())).ok);
  });

  test('crossdock validate reports policy and workflow problems of a folder together', () => {
    const folder = tempFolder({
      'workflows/uses.yaml': workflow('missing-policy').replace(
        'trigger: { event: a.b }',
        'trigger: { event: a.b }\nnot_a_key: 1',
      ),
      'policies/tier.json': oneTable(),
      'policies/bad.json': oneTable({ rules: [{ _id: 'r1', amount: '=> 4', tier: '"a"' }] }),
    });
    try {
      const broken = loadFolder(`${folder.dir}/workflows`);
      assert.equal(broken.result.ok, false);
      if (broken.result.ok) return;
      const messages = broken.result.problems.map(
        (p) => `${p.file.split('/').slice(-2).join('/')} ${p.path}: ${p.message}`,
      );
      assert.equal(messages.length, 2, messages.join('\n'));
      assert.match(
        messages[0]!,
        /^policies\/bad\.json nodes\[1\]\.content\.rules\[0\]\.amount: rule 1, input "amount"/,
      );
      // While the policies are broken, workflows are not checked against them (no noise), but still checked.
      assert.match(messages[1]!, /^workflows\/uses\.yaml : Unrecognized key: "not_a_key"/);
      const fixed = tempFolder({
        'workflows/uses.yaml': workflow('missing-policy'),
        'policies/tier.json': oneTable(),
      });
      try {
        const result = loadFolder(`${fixed.dir}/workflows`).result;
        assert.equal(result.ok, false);
        if (!result.ok)
          assert.deepEqual(
            result.problems.map((p) => [p.path, p.line]),
            [['steps[0].with.policy', 7]],
          );
        if (!result.ok)
          assert.match(
            result.problems[0]!.message,
            /no policy "missing-policy"; known policies: tier/,
          );
      } finally {
        fixed.dispose();
      }
    } finally {
      folder.dispose();
    }
  });
});
