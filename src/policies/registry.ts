import { ZenEngine, type ZenDecision, type ZenEngineTrace } from '@gorules/zen-engine';
import { CrossdockError } from '../errors/index.ts';
import type { DefinitionProblem } from '../workflows/index.ts';
import { zenErrorOf } from './cells.ts';
import { NodeType } from './jdm.ts';
import { loadPolicyDirs, policyDirsFor, type PolicyFile } from './loader.ts';

/** One rule that matched, from zen's trace: which table, which row (1-based), on what values. */
export interface MatchedRule {
  node: string;
  nodeId: string;
  rule: number;
  ruleId: string | null;
  /** The input fields the table looked at, with their values. */
  inputs: Record<string, unknown>;
}

export interface PolicyRef {
  id: string;
  version: string;
}

/** A decision is an expected outcome, so it is a value; so is "no rule matched". */
export type DecideOutcome =
  | { kind: 'decided'; decision: unknown; policy: PolicyRef; matched: MatchedRule[] }
  | { kind: 'no-match'; policy: PolicyRef; inputKeys: string[] };

interface Installed extends PolicyFile {
  decision: ZenDecision;
}

/**
 * The policies of one Crossdock instance (no global registry: two instances in one process
 * each have theirs). `loadFor(workflowsDir)` replaces them all, and only if every file is
 * valid; runs read the current version, and each decision records the version it used.
 */
export class PolicyRegistry {
  readonly #zen = new ZenEngine();
  #policies = new Map<string, Installed>();
  #dirs: string[] = [];
  #lastLoadFailed = false;

  /** Replaces the installed policies (already checked by the loader). */
  install(policies: PolicyFile[]): void {
    const next = new Map<string, Installed>();
    for (const policy of policies)
      next.set(policy.id, { ...policy, decision: this.#zen.createDecision(policy.content) });
    this.#policies = next;
  }

  /** Loads the policies of a workflow folder (see policyDirsFor); on any problem nothing changes. */
  loadFor(workflowsDir: string): DefinitionProblem[] {
    const dirs = policyDirsFor(workflowsDir);
    const result = loadPolicyDirs(dirs);
    this.#lastLoadFailed = !result.ok;
    if (!result.ok) return result.problems;
    this.install(result.policies);
    this.#dirs = dirs;
    return [];
  }

  /**
   * False after a load that found problems: the policies in the files are unknown then, so
   * workflows are not checked against the old ones (that would only add noise to the report).
   */
  checkable(): boolean {
    return !this.#lastLoadFailed;
  }

  /** The folders the current policies came from (for messages). */
  dirs(): string[] {
    return [...this.#dirs];
  }

  has(id: string): boolean {
    return this.#policies.has(id);
  }

  get(id: string): PolicyFile | undefined {
    const found = this.#policies.get(id);
    return (
      found && { id: found.id, version: found.version, file: found.file, content: found.content }
    );
  }

  list(): PolicyFile[] {
    return [...this.#policies.keys()].sort().map((id) => this.get(id)!);
  }

  ids(): string[] {
    return [...this.#policies.keys()].sort();
  }

  /**
   * Evaluates a policy. Throws POLICY_NOT_FOUND for an unknown id and POLICY_EVALUATION_FAILED
   * (category user) when zen fails; a table with no matching row is the value `no-match`.
   */
  async decide(id: string, input: Record<string, unknown>): Promise<DecideOutcome> {
    const policy = this.#policies.get(id);
    if (!policy) {
      throw new CrossdockError(
        'POLICY_NOT_FOUND',
        `No policy "${id}"; this instance has ${this.ids().join(', ') || 'no policies'}`,
        { category: 'user', retryable: false },
      );
    }
    const ref = { id: policy.id, version: policy.version };
    let response: Awaited<ReturnType<ZenDecision['evaluate']>>;
    try {
      response = await policy.decision.evaluate(input, { trace: true });
    } catch (error) {
      const zen = zenErrorOf(error);
      throw new CrossdockError(
        'POLICY_EVALUATION_FAILED',
        `Policy ${id}@${policy.version} failed: ${zen.message}`,
        { category: 'user', retryable: false, cause: error },
      );
    }
    const matched = matchedRules(policy, response.trace ?? {});
    if (isEmpty(response.result))
      return { kind: 'no-match', policy: ref, inputKeys: Object.keys(input).sort() };
    return { kind: 'decided', decision: response.result, policy: ref, matched };
  }
}

/** Decision-table rows from the trace: `traceData` is one hit (first) or a list of hits (collect). */
function matchedRules(policy: Installed, trace: Record<string, ZenEngineTrace>): MatchedRule[] {
  const tables = new Set(
    policy.content.nodes.filter((n) => n.type === NodeType.table).map((n) => n.id),
  );
  return Object.values(trace)
    .filter((entry) => tables.has(entry.id) && entry.traceData)
    .sort((a, b) => a.order - b.order)
    .flatMap((entry) => {
      const hits = (Array.isArray(entry.traceData) ? entry.traceData : [entry.traceData]) as {
        index?: number;
        reference_map?: Record<string, unknown>;
        rule?: { _id?: string };
      }[];
      return hits.map((hit) => ({
        node: entry.name,
        nodeId: entry.id,
        rule: (hit.index ?? -1) + 1,
        ruleId: hit.rule?._id ?? null,
        inputs: hit.reference_map ?? {},
      }));
    });
}

function isEmpty(result: unknown): boolean {
  if (result === null || result === undefined) return true;
  if (Array.isArray(result)) return result.length === 0;
  return typeof result === 'object' && Object.keys(result).length === 0;
}
