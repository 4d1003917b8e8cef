import { CrossdockError } from '../errors/index.ts';

/**
 * What the store can hold of a JSON value. PostgreSQL's jsonb and text refuse the character
 * U+0000 and unpaired UTF-16 surrogates (JSON allows both as `\u0000`, `\ud800`), and its
 * jsonb parser recurses, so very deep nesting exhausts its stack. Every ingress checks a
 * value here before anything recursive touches it (mappings, hashing, the insert) and
 * refuses it with 400 naming the JSON path; nothing is stored altered.
 */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface UnstorableJson {
  code: 'JSON_TOO_DEEP' | 'JSON_UNSTORABLE';
  path: string;
  message: string;
}

function textProblem(text: string): string | null {
  if (text.includes('\u0000'))
    return 'contains the character U+0000 (\\u0000), which the store cannot hold';
  if (LONE_SURROGATE.test(text))
    return 'contains an unpaired UTF-16 surrogate (\\ud800-\\udfff alone), which is not text';
  return null;
}

const child = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

/**
 * The first part of `value` the store cannot hold, or null. Iterative (an explicit stack),
 * so no depth of nesting can overflow the call stack. `maxDepth` counts objects and arrays:
 * `{}` is depth 1, `{"a": []}` depth 2.
 */
export function findUnstorableJson(
  value: unknown,
  maxDepth: number,
  rootPath = '',
): UnstorableJson | null {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value, path: rootPath, depth: 0 },
  ];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      const problem = textProblem(item.value);
      if (problem)
        return {
          code: 'JSON_UNSTORABLE',
          path: item.path || '(root)',
          message: `the text ${problem}`,
        };
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) {
      return {
        code: 'JSON_TOO_DEEP',
        path: item.path || '(root)',
        message: `objects and arrays nest deeper than ${maxDepth} levels here`,
      };
    }
    if (Array.isArray(item.value)) {
      for (let i = item.value.length - 1; i >= 0; i--)
        stack.push({ value: item.value[i], path: child(item.path, i), depth });
      continue;
    }
    for (const [key, entry] of Object.entries(item.value)) {
      const problem = textProblem(key);
      if (problem)
        return {
          code: 'JSON_UNSTORABLE',
          path: item.path || '(root)',
          message: `a property name ${problem}`,
        };
      stack.push({ value: entry, path: child(item.path, key), depth });
    }
  }
  return null;
}

/** Throws the 400 for a value the store cannot hold (`what` names it: "event", "request body"). */
export function assertStorableJson(
  value: unknown,
  what: string,
  maxDepth = MAX_JSON_DEPTH,
  rootPath = '',
): void {
  const problem = findUnstorableJson(value, maxDepth, rootPath);
  if (!problem) return;
  throw new CrossdockError(
    problem.code,
    `The ${what} cannot be stored: at ${problem.path} ${problem.message}`,
    {
      category: 'user',
      retryable: false,
      details: [{ path: problem.path, message: problem.message }],
    },
  );
}
