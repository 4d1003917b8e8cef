import jsonata from 'jsonata';
import { CrossdockError } from '../errors/index.ts';
import {
  checkStepResult,
  DEFAULT_EXPRESSION_LIMITS,
  LimitBreach,
  limitsKey,
  type ExpressionLimits,
} from './expression-limits.ts';

/**
 * Compiling and evaluating one JSONata expression under limits. Pure: no Crossdock state,
 * so the isolation worker (expression-serve.ts) runs exactly this code too.
 */
type Compiled = ReturnType<typeof jsonata>;

const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 5_000;

function parse(source: string, options?: Parameters<typeof jsonata>[1]): Compiled {
  try {
    return jsonata(source, options);
  } catch (cause) {
    const err = cause as { message?: string; position?: number };
    const where = err.position === undefined ? '' : ` at character ${err.position}`;
    throw new CrossdockError(
      'EXPRESSION_INVALID',
      `Expression "${source}" does not parse${where}: ${err.message ?? cause}`,
      {
        category: 'user',
        retryable: false,
        cause,
      },
    );
  }
}

/** Compiles under these limits (cached per source and limits). Throws EXPRESSION_INVALID. */
export function compileGuarded(source: string, limits: ExpressionLimits): Compiled {
  const key = `${limitsKey(limits)}\u0000${source}`;
  let compiled = cache.get(key);
  if (compiled) return compiled;
  // JSONata checks `timeout` and `stack` on entering every step, and `sequence` on every push.
  compiled = parse(source, {
    timeout: limits.timeoutMs,
    stack: limits.maxDepth,
    sequence: limits.maxItems,
  } as Parameters<typeof jsonata>[1]);
  compiled.assign(
    EXIT_HOOK as unknown as string,
    (_expr: unknown, _input: unknown, _env: unknown, result: unknown) =>
      checkStepResult(result, limits),
  );
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

/**
 * Evaluates and returns JSON (see `normalise`). Throws JSONata's own errors, or a
 * LimitBreach / JSONata guardrail error when a limit is passed; the caller maps both.
 */
export async function evaluateGuarded(
  source: string,
  context: unknown,
  limits: ExpressionLimits,
): Promise<unknown> {
  const names = plainPath(source);
  const direct = names === null ? TO_JSONATA : readPlainPath(context, names, limits);
  const value =
    direct === TO_JSONATA ? await compileGuarded(source, limits).evaluate(context) : direct;
  return normalise(value, limits);
}

/**
 * A path of field names (`input.n`, `steps.book.output.body.score`) is read directly when
 * every value on the way is a plain object and the value found is not a list: JSONata's
 * answer in that case (it looks names up as own properties, and a missing one is undefined),
 * without the generator and promises JSONata spends per step. Such paths are most of a
 * workflow's expressions. A list on the way or at the end (JSONata maps over lists and
 * flattens them) goes to JSONata.
 */
const PLAIN_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Words JSONata reads as operators or values, not as field names. */
const NOT_NAMES = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);
const TO_JSONATA = Symbol('to JSONata');
const paths = new Map<string, string[] | null>();

export function plainPath(source: string): string[] | null {
  let names = paths.get(source);
  if (names === undefined) {
    const parts = PLAIN_PATH.test(source) ? source.split('.') : [];
    names = parts.length > 0 && !parts.some((n) => NOT_NAMES.has(n)) ? parts : null;
    if (paths.size >= CACHE_LIMIT) paths.clear();
    paths.set(source, names);
  }
  return names;
}

/** Checks each value found, as JSONata's exit hook does after each step (a text past its limit). */
function readPlainPath(context: unknown, names: string[], limits: ExpressionLimits): unknown {
  let value = context;
  for (const name of names) {
    if (Array.isArray(value)) return TO_JSONATA;
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, name))
      return undefined;
    value = (value as Record<string, unknown>)[name];
    checkStepResult(value, limits);
  }
  return Array.isArray(value) || typeof value === 'function' ? TO_JSONATA : value;
}

/**
 * JSONata answers `undefined` for "no match"; a step output must be JSON, so it becomes
 * null. Primitives pass as they are; only objects and arrays (which may carry JSONata's
 * sequence flags or undefined members) are copied through JSON, whose size is checked.
 */
function normalise(value: unknown, limits: ExpressionLimits): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object')
    return typeof value === 'function' ? null : value;
  const json = JSON.stringify(value) ?? 'null';
  if (json.length > limits.maxOutputBytes || Buffer.byteLength(json) > limits.maxOutputBytes)
    throw new LimitBreach('maxOutputBytes');
  return JSON.parse(json);
}

const isolationCache = new Map<string, boolean>();

/**
 * True when the expression can spend unbounded time inside one native call, where no
 * step-by-step check can stop it: a regular expression (catastrophic backtracking in
 * `$match`, `$replace`, `$split`, `$contains`) or `$eval` (which can build one). Such an
 * expression is evaluated in the isolation worker, which can be terminated.
 */
export function needsIsolation(source: string): boolean {
  let answer = isolationCache.get(source);
  if (answer === undefined) {
    // A plain path has no call; any other expression was parsed when its workflow loaded.
    answer =
      plainPath(source) === null &&
      containsUnboundedCall(compileGuarded(source, DEFAULT_EXPRESSION_LIMITS).ast());
    if (isolationCache.size >= CACHE_LIMIT) isolationCache.clear();
    isolationCache.set(source, answer);
  }
  return answer;
}

function containsUnboundedCall(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(containsUnboundedCall);
  const ast = node as { type?: string; value?: unknown };
  if (ast.type === 'regex') return true;
  // Any mention of $eval, called or passed on ($f := $eval).
  if (ast.type === 'variable' && ast.value === 'eval') return true;
  return Object.values(ast).some(containsUnboundedCall);
}
