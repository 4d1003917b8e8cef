import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { toCrossdockError } from '../errors/index.ts';
import type { PolicyRegistry } from './registry.ts';

/**
 * A table of test cases for a policy (`crossdock policies test <id> --cases cases.yaml`):
 * each case gives an input and what it expects, either `expect` (the decision: an object
 * is matched field by field, so a case may check `tier` alone; a list must equal it) or
 * `expect_error` (an error code, such as POLICY_NO_MATCH).
 */
export const PolicyCases = z.strictObject({
  policy: z.string().min(1).optional(),
  cases: z
    .array(
      z
        .strictObject({
          name: z.string().min(1).optional(),
          input: z.record(z.string(), z.unknown()),
          expect: z.unknown().optional(),
          expect_error: z.string().min(1).optional(),
        })
        .refine((c) => (c.expect === undefined) !== (c.expect_error === undefined), {
          message: 'a case needs expect or expect_error (one of them)',
        }),
    )
    .min(1, 'no cases'),
});
export type PolicyCases = z.infer<typeof PolicyCases>;

export interface CaseResult {
  /** 1-based, as in the file. */
  case: number;
  name: string;
  pass: boolean;
  expected: unknown;
  /** The decision, or the error code. */
  actual: unknown;
  /** The rules that matched (1-based rows), to see why. */
  matched: { node: string; rule: number; ruleId: string | null }[];
  message: string | null;
}

export async function runPolicyCases(
  registry: PolicyRegistry,
  policyId: string,
  cases: PolicyCases['cases'],
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    const name = c.name ?? `case ${i + 1}`;
    const expected = c.expect_error ?? c.expect;
    try {
      const outcome = await registry.decide(policyId, c.input);
      if (outcome.kind === 'no-match') {
        results.push({
          case: i + 1,
          name,
          pass: c.expect_error === 'POLICY_NO_MATCH',
          expected,
          actual: 'POLICY_NO_MATCH',
          matched: [],
          message: 'no rule matched',
        });
        continue;
      }
      const matched = outcome.matched.map((m) => ({
        node: m.node,
        rule: m.rule,
        ruleId: m.ruleId,
      }));
      const pass = c.expect !== undefined && matches(c.expect, outcome.decision);
      results.push({
        case: i + 1,
        name,
        pass,
        expected,
        actual: outcome.decision,
        matched,
        message: pass
          ? null
          : c.expect_error
            ? `expected error ${c.expect_error}`
            : 'the decision differs',
      });
    } catch (error) {
      const e = toCrossdockError(error);
      results.push({
        case: i + 1,
        name,
        pass: c.expect_error === e.code,
        expected,
        actual: e.code,
        matched: [],
        message: e.message,
      });
    }
  }
  return results;
}

/** An expected object is a subset of the decision (each field deep-equal); anything else must be equal. */
function matches(expected: unknown, actual: unknown): boolean {
  if (
    expected !== null &&
    typeof expected === 'object' &&
    !Array.isArray(expected) &&
    actual !== null &&
    typeof actual === 'object' &&
    !Array.isArray(actual)
  ) {
    return Object.entries(expected).every(([k, v]) =>
      isDeepStrictEqual(v, (actual as Record<string, unknown>)[k]),
    );
  }
  return isDeepStrictEqual(expected, actual);
}
