import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, engineStepTypes, StepRegistry } from '../../src/engine/index.ts';
import { decideStep, PolicyRegistry } from '../../src/policies/index.ts';
import type { Store } from '../../src/store/index.ts';
import { engineWith } from '../support/engine.ts';

export const PACKS = 'packs';

/** A registry with the shipped pack policies (packs/<pack>/policies/*.json). */
export function packPolicies(): PolicyRegistry {
  const registry = new PolicyRegistry();
  const problems = registry.loadFor(PACKS);
  if (problems.length > 0)
    throw new Error(`the shipped policies are invalid: ${JSON.stringify(problems)}`);
  return registry;
}

export function stepsWith(registry: PolicyRegistry): StepRegistry {
  return new StepRegistry([...engineStepTypes(), decideStep(registry)]);
}

/** An engine whose `decide` steps use this registry, with these workflow texts installed. */
export function policyEngine(
  store: Store,
  registry: PolicyRegistry,
  workflows: string[],
): Promise<Engine> {
  return engineWith(store, workflows, { steps: stepsWith(registry), companions: [registry] });
}

/** A temporary workflow folder: files by relative path; removed by dispose(). */
export function tempFolder(files: Record<string, string>): { dir: string; dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-policies-'));
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
  }
  return { dir: root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** A one-table JDM policy; rules are [cells by column id] with _id added. */
export function oneTable(
  options: {
    hitPolicy?: string;
    inputs?: unknown[];
    outputs?: unknown[];
    rules?: Record<string, string>[];
    nodes?: (nodes: unknown[]) => unknown[];
  } = {},
): string {
  const nodes = [
    { id: 'in', type: 'inputNode', name: 'Request' },
    {
      id: 't',
      type: 'decisionTableNode',
      name: 'Table',
      content: {
        hitPolicy: options.hitPolicy ?? 'first',
        inputs: options.inputs ?? [{ id: 'amount', name: 'Amount', field: 'amount' }],
        outputs: options.outputs ?? [{ id: 'tier', name: 'Tier', field: 'tier' }],
        rules: options.rules ?? [
          { _id: 'big', amount: '>= 100', tier: '"manager"' },
          { _id: 'small', amount: '< 100', tier: '"auto"' },
        ],
      },
    },
    { id: 'out', type: 'outputNode', name: 'Response' },
  ];
  const edges = [
    { id: 'e1', sourceId: 'in', targetId: 't' },
    { id: 'e2', sourceId: 't', targetId: 'out' },
  ];
  return `${JSON.stringify({ nodes: options.nodes ? options.nodes(nodes) : nodes, edges }, null, 2)}\n`;
}
