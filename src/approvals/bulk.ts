import { createHash } from 'node:crypto';
import { CrossdockError, type ErrorDetail } from '../errors/index.ts';
import { canonicalJson } from '../workflows/index.ts';
import type { ApprovalLevel } from './definition.ts';
import { bulkGroupOf, type ApprovalView, type RequestRow } from './model.ts';

/** The most requests one bulk decision takes (the inbox shows at most this many). */
export const BULK_MAX = 200;

export type BulkOutcome =
  | { id: string; outcome: 'approved'; request: ApprovalView }
  | { id: string; outcome: 'refused'; error: { code: string; message: string } };

export interface BulkDecision {
  results: BulkOutcome[];
  approved: number;
  refused: number;
}

/** What a decision taken in bulk notes in each request's history and audit entry. */
export interface BulkNote {
  of: number;
  group: string;
}

/**
 * The key of requests that are identical for bulk approval: the same workflow, step and
 * chain (its levels as defined: names, approvers, SLAs), and the same policy identity. Two
 * chains with the same level names but other approvers or deadlines are not the same
 * chain. A decide step's output
 * ({ decision, policy: { id, version }, matched }) is identified by the policy id, its
 * version and the rules that matched, not by the inputs the rules looked at; any other
 * policy value by its whole content. The current level is added by the view (bulkGroup).
 */
export function bulkGroupKey(request: {
  workflowId: string;
  stepId: string;
  chain: ApprovalLevel[];
  policy: unknown;
}): string {
  const identity = {
    workflow: request.workflowId,
    step: request.stepId,
    chain: request.chain,
    policy: policyIdentity(request.policy),
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}

interface DecideOutput {
  policy: { id: string; version: string };
  matched: { node?: unknown; rule?: unknown; ruleId?: unknown }[];
}

function isDecideOutput(policy: unknown): policy is DecideOutput {
  if (policy === null || typeof policy !== 'object' || !('decision' in policy)) return false;
  const p = policy as { policy?: { id?: unknown; version?: unknown }; matched?: unknown };
  return (
    typeof p.policy?.id === 'string' &&
    typeof p.policy.version === 'string' &&
    Array.isArray(p.matched) &&
    p.matched.every((m) => m !== null && typeof m === 'object')
  );
}

function policyIdentity(policy: unknown): unknown {
  if (!isDecideOutput(policy)) return { given: policy ?? null };
  return {
    id: policy.policy.id,
    version: policy.policy.version,
    matched: policy.matched.map((m) => [m.node ?? null, m.ruleId ?? m.rule ?? null]),
  };
}

/** One reason a bulk decision is refused: the id ('-' for the call as a whole), a few words, and the detail. */
export interface BulkProblem {
  id: string;
  short: string;
  detail: ErrorDetail;
}

/**
 * Why these requests cannot be approved together, one problem per offending id (empty when
 * they can): unknown, listed twice, not pending, not allowed in bulk, or in another group
 * than the first request that is. `rows` are the stored requests among `ids`.
 */
export function bulkProblems(ids: string[], rows: RequestRow[]): BulkProblem[] {
  if (ids.length === 0)
    return [
      {
        id: '-',
        short: 'none given',
        detail: { path: 'ids', message: 'name at least one request' },
      },
    ];
  if (ids.length > BULK_MAX)
    return [
      {
        id: '-',
        short: `${ids.length} given`,
        detail: {
          path: 'ids',
          message: `at most ${BULK_MAX} requests at once; ${ids.length} given`,
        },
      },
    ];
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  const reference = ids
    .map((id) => byId.get(id))
    .find((r) => r !== undefined && bulkGroupOf(r) !== null);
  const seen = new Set<string>();
  const problems: BulkProblem[] = [];
  ids.forEach((id, i) => {
    const problem = (short: string, message: string) =>
      problems.push({ id, short, detail: { path: `ids.${i}`, message } });
    const r = byId.get(id);
    if (seen.has(id)) return problem('listed twice', `request ${id} is listed twice`);
    seen.add(id);
    if (!r) return problem('unknown', `no approval request ${id}`);
    if (r.status !== 'pending')
      return problem(
        `already ${r.status}`,
        `request ${id} was already ${r.status}${r.decided_at ? ` at ${new Date(r.decided_at).toISOString()}` : ''}`,
      );
    if (r.bulk_group === null)
      return problem(
        'not bulk-approvable',
        `request ${id} may not be approved in bulk (its policy decision does not allow it); decide it on its own`,
      );
    const level = r.chain[r.level]!;
    if (level.step_up)
      return problem(
        'needs a second factor',
        `request ${id} is at level "${level.name}", which needs a code from an authenticator for each decision; decide it on its own`,
      );
    if (reference && bulkGroupOf(r) !== bulkGroupOf(reference)) {
      return problem(
        `not like ${reference.id}`,
        `request ${id} is not like request ${reference.id} (another workflow, step, chain, policy decision or level)`,
      );
    }
    return undefined;
  });
  return problems;
}

export const bulkErrors = {
  refused: (problems: BulkProblem[], count: number) => {
    const listed = problems.map((p) => `${p.id} (${p.short})`).join(', ');
    const message =
      problems[0]?.id === '-'
        ? problems[0].detail.message
        : `${problems.length} of the ${count} requests cannot be approved together: ${listed}`;
    return new CrossdockError('APPROVAL_BULK_REFUSED', `Nothing was decided: ${message}`, {
      category: 'user',
      retryable: false,
      details: problems.map((p) => p.detail),
    });
  },
  /** Found in the request's own transaction: it moved to another level after the check. */
  changed: (id: string, level: string) =>
    new CrossdockError(
      'APPROVAL_BULK_CHANGED',
      `Request ${id} moved to level "${level}" after it was selected; decide it on its own`,
      { category: 'user', retryable: false },
    ),
};
