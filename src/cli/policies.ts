import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { CrossdockConfig } from '../config/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { builtInSteps } from '../main.ts';
import {
  PolicyCases,
  PolicyRegistry,
  runPolicyCases,
  tablesOf,
  type PolicyFile,
} from '../policies/index.ts';
import { loadWorkflowDir, type LoadResult, type StepType } from '../workflows/index.ts';
import type { StepRegistry } from '../engine/index.ts';
import { table, usageError, type Output } from './output.ts';

/**
 * A workflow folder as `validate` and `simulate` see it, without a store: its policies
 * first (so a `decide` step naming an unknown policy is a problem of the workflow), then
 * its workflows. Problems of both are reported together.
 */
export function loadFolder(
  dir: string,
  connectorSteps: StepType<any>[] = [],
): { result: LoadResult; policies: PolicyFile[]; steps: StepRegistry } {
  const registry = new PolicyRegistry();
  const policyProblems = registry.loadFor(dir);
  const steps = builtInSteps(connectorSteps, { policies: registry });
  const workflows = loadWorkflowDir(dir, steps);
  if (policyProblems.length === 0) return { result: workflows, policies: registry.list(), steps };
  return {
    result: {
      ok: false,
      problems: [...policyProblems, ...(workflows.ok ? [] : workflows.problems)],
    },
    policies: [],
    steps,
  };
}

/** `crossdock policies list | show <id> | test [<id>] --cases cases.yaml`, over the workflow folder's policies. */
export async function policiesCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: { cases?: string },
  out: Output,
): Promise<number> {
  const [sub, id] = rest;
  const registry = new PolicyRegistry();
  const problems = registry.loadFor(config.workflowsDir);
  if (problems.length > 0) {
    throw new CrossdockError(
      'POLICIES_INVALID',
      `${problems.length} problem(s) in the policies of ${config.workflowsDir}`,
      {
        category: 'user',
        retryable: false,
        details: problems.map((p) => ({
          path: `${p.file}${p.line === null ? '' : `:${p.line}`}${p.path ? ` ${p.path}` : ''}`,
          message: p.message,
        })),
      },
    );
  }
  const find = (id: string | undefined) => {
    if (!id) throw usageError(`usage: crossdock policies ${sub} <id>`);
    const policy = registry.get(id);
    if (!policy)
      throw new CrossdockError(
        'POLICY_NOT_FOUND',
        `No policy "${id}" for ${config.workflowsDir}; there are: ${registry.ids().join(', ') || 'none'}`,
        { category: 'user', retryable: false },
      );
    return policy;
  };
  switch (sub) {
    case 'list': {
      const policies = registry.list().map((p) => ({ id: p.id, version: p.version, file: p.file }));
      out.result({ policies }, () =>
        policies.length === 0
          ? `no policies for ${config.workflowsDir} (looked in: ${registry.dirs().join(', ') || 'no policies folder'})`
          : table(policies, ['id', 'version', 'file']),
      );
      return 0;
    }
    case 'show': {
      const policy = find(id);
      const tables = tablesOf(policy.content);
      out.result({ id: policy.id, version: policy.version, file: policy.file, tables }, () =>
        [
          `${policy.id}@${policy.version}  ${policy.file}`,
          ...tables.flatMap((t) => [
            `\n${t.node} (hit policy ${t.hitPolicy})`,
            table(
              t.rows.map((r) => ({ rule: r.rule, id: r.id, ...r.cells })),
              ['rule', 'id', ...t.columns.map((c) => c.label)],
            ),
          ]),
        ].join('\n'),
      );
      return 0;
    }
    case 'test': {
      if (!flags.cases) throw usageError('usage: crossdock policies test <id> --cases cases.yaml');
      const cases = readCases(flags.cases);
      if (id && cases.policy && cases.policy !== id)
        throw usageError(`${flags.cases} is for policy ${cases.policy}, not ${id}`);
      const policy = find(id ?? cases.policy);
      const results = await runPolicyCases(registry, policy.id, cases.cases);
      const failed = results.filter((r) => !r.pass).length;
      out.result(
        {
          policy: { id: policy.id, version: policy.version },
          passed: results.length - failed,
          failed,
          results,
        },
        () =>
          [
            ...results.map(
              (r) =>
                `${r.pass ? 'pass' : 'FAIL'}  ${String(r.case).padStart(3)}. ${r.name}${r.matched.length > 0 ? `  (rule ${r.matched.map((m) => `${m.rule} ${m.ruleId ?? ''}`.trim()).join(', ')})` : ''}${r.pass ? '' : `\n        expected ${JSON.stringify(r.expected)}\n        got      ${JSON.stringify(r.actual)}${r.message ? ` (${r.message})` : ''}`}`,
            ),
            `${policy.id}@${policy.version}: ${results.length - failed} passed, ${failed} failed`,
          ].join('\n'),
      );
      return failed === 0 ? 0 : 1;
    }
    default:
      throw usageError('usage: crossdock policies list | show <id> | test <id> --cases cases.yaml');
  }
}

function readCases(path: string): PolicyCases {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`--cases: cannot read ${path}: ${(error as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0)
    throw usageError(`--cases ${path}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const parsed = PolicyCases.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new CrossdockError('POLICY_CASES_INVALID', `${path} is not a cases file`, {
      category: 'user',
      retryable: false,
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return parsed.data;
}
