import { CrossdockError } from '../errors/index.ts';

/**
 * Bounds on one evaluation of one expression. JSONata checks time and depth on every step
 * it enters (its `timeout` and `stack` guardrails) and refuses a sequence longer than
 * `maxItems`; Crossdock checks each step's result (a list or a text) and the final output.
 * A runaway therefore stops at the first step past a limit, never more than about
 * `timeoutMs` after it started, without help from anything outside the evaluation.
 */
export interface ExpressionLimits {
  /** Wall time of one evaluation. */
  timeoutMs: number;
  /** Nesting of JSONata evaluation (each function call adds a few levels). */
  maxDepth: number;
  /** Items in any list an expression builds (a range, a map, a path over a list). */
  maxItems: number;
  /** Size of any text an expression builds, and of its JSON output. */
  maxOutputBytes: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = Object.freeze({
  timeoutMs: 1_000,
  maxDepth: 2_000,
  maxItems: 100_000,
  maxOutputBytes: 1024 * 1024,
});

/** The setting that changes each limit, named in errors so the message says what to raise. */
export const LIMIT_SETTINGS = {
  timeoutMs: 'CROSSDOCK_EXPRESSION_TIMEOUT_MS',
  maxDepth: 'CROSSDOCK_EXPRESSION_MAX_DEPTH',
  maxItems: 'CROSSDOCK_EXPRESSION_MAX_ITEMS',
  maxOutputBytes: 'CROSSDOCK_EXPRESSION_MAX_OUTPUT_BYTES',
} as const satisfies Record<keyof ExpressionLimits, string>;

export type LimitName = keyof ExpressionLimits;

const WHAT: Record<LimitName, (limit: number) => string> = {
  timeoutMs: (limit) => `ran longer than ${limit} ms`,
  maxDepth: (limit) => `nested deeper than ${limit} levels (runaway recursion?)`,
  maxItems: (limit) => `built a list of more than ${limit} items`,
  maxOutputBytes: (limit) => `built a text or output larger than ${limit} bytes`,
};

/** A marker thrown from inside an evaluation; turned into the CrossdockError by the caller. */
export class LimitBreach {
  constructor(readonly limit: LimitName) {}
}

/** JSONata's own guardrail codes, and ours, as the limit they stand for. */
export function breachedLimit(error: unknown): LimitName | null {
  if (error instanceof LimitBreach) return error.limit;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'D1012') return 'timeoutMs';
  if (code === 'D1011') return 'maxDepth';
  if (code === 'D2015' || code === 'D2014') return 'maxItems';
  // $eval wraps what failed inside it.
  const inner = (error as { error?: unknown } | null)?.error;
  return inner === undefined ? null : breachedLimit(inner);
}

/**
 * EXPRESSION_LIMIT_EXCEEDED: never retryable, since the same expression over the same data
 * would breach the same limit again; a run dead-letters (or takes its `on_error` edge).
 */
export function limitExceeded(
  limit: LimitName,
  limits: ExpressionLimits,
  source: string,
  where: string | undefined,
): CrossdockError {
  const at = where === undefined ? '' : ` at ${where}`;
  return new CrossdockError(
    'EXPRESSION_LIMIT_EXCEEDED',
    `Expression${at} ${WHAT[limit](limits[limit])} and was stopped (${LIMIT_SETTINGS[limit]}): "${abbreviate(source)}"`,
    {
      category: 'user',
      retryable: false,
      details: [{ path: where ?? 'expression', message: `${limit} ${limits[limit]} exceeded` }],
    },
  );
}

export function abbreviate(source: string, max = 160): string {
  const flat = source.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Called by JSONata after every step: a list or text past its limit stops the evaluation
 * there, before the next step can double it again. O(1): it looks at lengths only.
 */
export function checkStepResult(result: unknown, limits: ExpressionLimits): void {
  if (Array.isArray(result)) {
    if (result.length > limits.maxItems) throw new LimitBreach('maxItems');
  } else if (typeof result === 'string' && result.length > limits.maxOutputBytes) {
    throw new LimitBreach('maxOutputBytes');
  }
}

/** A cache key part: equal limits compile to the same guarded expression. */
export function limitsKey(limits: ExpressionLimits): string {
  return `${limits.timeoutMs}/${limits.maxDepth}/${limits.maxItems}/${limits.maxOutputBytes}`;
}
