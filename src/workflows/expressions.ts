import jsonata from 'jsonata';
import { CrossdockError } from '../errors/index.ts';

/**
 * Workflow expressions are JSONata: sandboxed, no arbitrary JavaScript. In `with:` blocks a
 * string that starts with `=` and a space is an expression ("= payload.total * 2"); any
 * other value is taken literally, so Odoo domain operators ("=", "=like", "=?") stay text.
 * Conditions (`if`, `when`, `filter`, `key`) are always expressions.
 */
export const EXPRESSION_PREFIX = '=';

type Compiled = ReturnType<typeof jsonata>;
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 5_000;

/** Compiles (cached). Throws EXPRESSION_INVALID naming the position of the syntax error. */
export function compileExpression(source: string): Compiled {
  let compiled = cache.get(source);
  if (compiled) return compiled;
  try {
    compiled = jsonata(source);
  } catch (cause) {
    const err = cause as { message?: string; position?: number; token?: string };
    const where = err.position === undefined ? '' : ` at character ${err.position}`;
    throw new CrossdockError('EXPRESSION_INVALID', `Expression "${source}" does not parse${where}: ${err.message ?? cause}`, {
      category: 'user',
      retryable: false,
      cause,
    });
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

const EXPRESSION = /^=\s+\S/;

export function isExpressionString(value: unknown): value is string {
  return typeof value === 'string' && EXPRESSION.test(value);
}

export async function evaluateExpression(source: string, context: unknown): Promise<unknown> {
  const compiled = compileExpression(source);
  try {
    const value = await compiled.evaluate(context);
    return normalise(value);
  } catch (cause) {
    const err = cause as { message?: string };
    throw new CrossdockError('EXPRESSION_FAILED', `Expression "${source}" failed: ${err.message ?? cause}`, {
      category: 'user',
      retryable: false,
      cause,
    });
  }
}

/** Resolves every `=`-expression inside a value, leaving literals as they are. */
export async function resolveTemplate(value: unknown, context: unknown): Promise<unknown> {
  if (isExpressionString(value)) return evaluateExpression(value.slice(EXPRESSION_PREFIX.length).trim(), context);
  if (Array.isArray(value)) return Promise.all(value.map((item) => resolveTemplate(item, context)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await resolveTemplate(item, context);
    return out;
  }
  return value;
}

/** Collects every expression in a value with its path, for static checks. */
export function collectExpressions(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; source: string }[] {
  if (isExpressionString(value)) return [{ path, source: value.slice(EXPRESSION_PREFIX.length).trim() }];
  if (Array.isArray(value)) return value.flatMap((item, i) => collectExpressions(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => collectExpressions(item, [...path, key]));
  }
  return [];
}

/**
 * JSONata answers `undefined` for "no match"; a step output must be JSON, so it becomes
 * null. Primitives pass as they are; only objects and arrays (which may carry JSONata's
 * sequence flags or undefined members) are copied through JSON.
 */
function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? null : value;
  return JSON.parse(JSON.stringify(value) ?? 'null');
}
