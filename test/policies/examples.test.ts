import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadFolder } from '../../src/cli/policies.ts';
import {
  parsePolicy,
  PolicyCases,
  PolicyRegistry,
  runPolicyCases,
} from '../../src/policies/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { packPolicies, stepsWith } from './support.ts';

describe('examples/: the order-intake workflow routes with a policy', () => {
  test('examples/workflows and examples/policies load together', () => {
    const { result, policies } = loadFolder('examples/workflows');
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(
      policies.map((p) => p.id),
      ['order-intake-route'],
    );
  });

  test('its cases file passes, and the sample events route as the README says', async () => {
    const registry = new PolicyRegistry();
    assert.deepEqual(registry.loadFor('examples/workflows'), []);
    const cases = PolicyCases.parse(
      parse(readFileSync('examples/policies/order-intake-route.cases.yaml', 'utf8')),
    );
    const results = await runPolicyCases(registry, 'order-intake-route', cases.cases);
    assert.deepEqual(
      results.filter((r) => !r.pass),
      [],
    );
    assert.equal(results.length, 4);
    const routeOf = async (line: number) => {
      const event = JSON.parse(
        readFileSync('examples/events.jsonl', 'utf8').split('\n')[line - 1]!,
      );
      const total = event.payload.lines.reduce(
        (sum: number, l: { qty: number; price: number }) => sum + l.qty * l.price,
        0,
      );
      const outcome = await registry.decide('order-intake-route', {
        total,
        blocked: (event.payload.flags ?? []).includes('BLOCKED'),
      });
      return outcome.kind === 'decided'
        ? (outcome.decision as { route: string }).route
        : outcome.kind;
    };
    assert.equal(await routeOf(1), 'release'); // SO-1001
    assert.equal(await routeOf(3), 'approval'); // SO-1003: 8200
    assert.equal(await routeOf(4), 'blocked'); // SO-1004
  });

  test('the examples in docs/POLICIES.md: the JDM file loads and passes the cases block; the workflow validates', async () => {
    const doc = readFileSync('docs/POLICIES.md', 'utf8');
    const jdm = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((text) => text.includes('"nodes"'))!;
    const loaded = parsePolicy(jdm, 'docs/POLICIES.md', 'order-intake-route');
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    const registry = new PolicyRegistry();
    registry.install(loaded.policies);
    const cases = PolicyCases.parse(parse(/```yaml cases\n([\s\S]*?)```/.exec(doc)![1]!));
    assert.deepEqual(
      (await runPolicyCases(registry, 'order-intake-route', cases.cases)).filter((r) => !r.pass),
      [],
    );
    const workflows = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)];
    assert.equal(workflows.length, 1);
    const result = parseWorkflow(workflows[0]![1]!, 'docs/POLICIES.md', stepsWith(packPolicies()));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  });
});
