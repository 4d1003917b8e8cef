import { CrossdockError } from '../errors/index.ts';
import { compileGuarded, evaluateGuarded, needsIsolation, plainPath } from './expression-eval.ts';
import { expressionIsolate } from './expression-isolate.ts';
import {
  abbreviate,
  breachedLimit,
  DEFAULT_EXPRESSION_LIMITS,
  limitExceeded,
  type ExpressionLimits,
} from './expression-limits.ts';

/**
 * Workflow expressions are JSONata: sandboxed, no arbitrary JavaScript. In `with:` blocks a
 * string that starts with `=` and a space is an expression ("= payload.total * 2"); any
 * other value is taken literally, so Odoo domain operators ("=", "=like", "=?") stay text.
 * Conditions (`if`, `when`, `filter`, `key`) are always expressions.
 *
 * Every evaluation is bounded (ExpressionLimits: time, depth, list and output size). Most
 * run in this thread, stopped step by step by JSONata's guardrails; those that could spend
 * unbounded time in one native call (a regular expression) run in a worker thread that is
 * terminated when it overruns. A breach fails with EXPRESSION_LIMIT_EXCEEDED, not retryable.
 */
export const EXPRESSION_PREFIX = '=';

export interface EvaluateOptions {
  limits?: ExpressionLimits;
  /** Where the expression is, for errors: `steps[2].with.body`, `trigger.filter`, `mapping.key`. */
  where?: string;
}

/**
 * Checks that an expression parses: compiles it (cached) for its first evaluation. Throws
 * EXPRESSION_INVALID naming the position of the syntax error. A plain path of names
 * (`steps.price.output.gross`, two in five of the packs' expressions) is valid as it is and
 * is read without JSONata (plainPath), so it is not parsed.
 */
export function compileExpression(source: string): void {
  if (plainPath(source) === null) compileGuarded(source, DEFAULT_EXPRESSION_LIMITS);
}

const EXPRESSION = /^=\s+\S/;

export function isExpressionString(value: unknown): value is string {
  return typeof value === 'string' && EXPRESSION.test(value);
}

export async function evaluateExpression(
  source: string,
  context: unknown,
  options: EvaluateOptions = {},
): Promise<unknown> {
  const limits = options.limits ?? DEFAULT_EXPRESSION_LIMITS;
  try {
    return needsIsolation(source)
      ? await expressionIsolate.evaluate(source, context, limits)
      : await evaluateInThread(source, context, limits);
  } catch (cause) {
    if (cause instanceof CrossdockError) throw cause;
    const limit = breachedLimit(cause);
    if (limit !== null) throw limitExceeded(limit, limits, source, options.where);
    const err = cause as { message?: string };
    const at = options.where === undefined ? '' : ` at ${options.where}`;
    throw new CrossdockError(
      'EXPRESSION_FAILED',
      `Expression${at} "${abbreviate(source)}" failed: ${err.message ?? cause}`,
      {
        category: 'user',
        retryable: false,
        cause,
      },
    );
  }
}

/**
 * JSONata's time limit is wall-clock time across the evaluation's awaits, so in a busy process
 * (other runs' steps, a blocking query, many expressions of one template at once) a trivial
 * expression can be charged for others' work. A timeout here is therefore not yet a verdict:
 * the expression is evaluated once more alone, in the isolation worker, whose clock times
 * this expression only. A real runaway breaches there too (and that thread is terminated);
 * one that only waited for the process completes there. Depth and size breaches are final.
 */
async function evaluateInThread(
  source: string,
  context: unknown,
  limits: ExpressionLimits,
): Promise<unknown> {
  try {
    return await evaluateGuarded(source, context, limits);
  } catch (cause) {
    if (breachedLimit(cause) !== 'timeoutMs') throw cause;
    return expressionIsolate.evaluate(source, context, limits);
  }
}

/** Resolves every `=`-expression inside a value, leaving literals as they are. `where` is the value's own path. */
export async function resolveTemplate(
  value: unknown,
  context: unknown,
  options: EvaluateOptions = {},
): Promise<unknown> {
  const at = (key: string | number) => ({
    ...options,
    where:
      typeof key === 'number'
        ? `${options.where ?? ''}[${key}]`
        : options.where
          ? `${options.where}.${key}`
          : key,
  });
  if (isExpressionString(value))
    return evaluateExpression(value.slice(EXPRESSION_PREFIX.length).trim(), context, options);
  if (Array.isArray(value))
    return Promise.all(value.map((item, i) => resolveTemplate(item, context, at(i))));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = await resolveTemplate(item, context, at(key));
    return out;
  }
  return value;
}

/** Collects every expression in a value with its path, for static checks. */
export function collectExpressions(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; source: string }[] {
  if (isExpressionString(value))
    return [{ path, source: value.slice(EXPRESSION_PREFIX.length).trim() }];
  if (Array.isArray(value))
    return value.flatMap((item, i) => collectExpressions(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => collectExpressions(item, [...path, key]));
  }
  return [];
}
