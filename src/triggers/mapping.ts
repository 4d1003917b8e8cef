import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import {
  compileExpression,
  DEFAULT_EXPRESSION_LIMITS,
  EXPRESSION_PREFIX,
  isExpressionString,
  resolveTemplate,
  type ExpressionLimits,
} from '../workflows/index.ts';

const expressionOrLiteral = z
  .string()
  .min(1)
  .max(2000)
  .superRefine((value, ctx) => {
    if (!isExpressionString(value)) return;
    try {
      compileExpression(value.slice(EXPRESSION_PREFIX.length).trim());
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/**
 * How a source's payload becomes a Crossdock event, as JSONata over `{ body, source }`
 * (same `= expression` convention as workflow files). The key is what makes a redelivery
 * of the same business event a duplicate: the provider's event id, typically.
 */
export const MappingSchema = z.strictObject({
  type: expressionOrLiteral,
  key: expressionOrLiteral.refine(
    isExpressionString,
    'the key must be an expression ("= body.id"): a fixed key would make every delivery a duplicate of the first',
  ),
  payload: expressionOrLiteral
    .refine(isExpressionString, 'the payload must be an expression, e.g. "= body"')
    .default('= body'),
});
export type Mapping = z.infer<typeof MappingSchema>;

export interface MappedEvent {
  source: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
}

/**
 * Applies a mapping; a value of the wrong kind is a 400 naming the mapping field. The
 * mapping runs in the API process under `limits`: a body that makes it run away is refused
 * with 422 EXPRESSION_LIMIT_EXCEEDED (and stores nothing), the process keeps serving.
 */
export async function mapPayload(
  mapping: Mapping,
  source: string,
  body: unknown,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<MappedEvent> {
  const context = { body, source };
  const problems: { path: string; message: string }[] = [];
  const resolve = async (field: keyof Mapping) => {
    try {
      return await resolveTemplate(mapping[field], context, {
        limits,
        where: `source ${source} mapping.${field}`,
      });
    } catch (error) {
      if (error instanceof CrossdockError && error.code === 'EXPRESSION_LIMIT_EXCEEDED')
        throw error;
      problems.push({ path: `mapping.${field}`, message: (error as Error).message });
      return undefined;
    }
  };
  const [type, key, payload] = [
    await resolve('type'),
    await resolve('key'),
    await resolve('payload'),
  ];
  if (type !== undefined && typeof type !== 'string')
    problems.push({ path: 'mapping.type', message: `gave ${describe(type)}, not text` });
  const keyText = typeof key === 'number' ? String(key) : key;
  if (key !== undefined && (typeof keyText !== 'string' || keyText === ''))
    problems.push({
      path: 'mapping.key',
      message: `gave ${describe(key)}, not a text or number (is the id field in the body?)`,
    });
  if (
    payload !== undefined &&
    (payload === null || typeof payload !== 'object' || Array.isArray(payload))
  )
    problems.push({ path: 'mapping.payload', message: `gave ${describe(payload)}, not an object` });
  if (problems.length > 0) {
    throw new CrossdockError(
      'HOOK_MAPPING_FAILED',
      `The body does not map to an event for source "${source}"`,
      { category: 'user', retryable: false, details: problems },
    );
  }
  return {
    source,
    type: type as string,
    key: keyText as string,
    payload: payload as Record<string, unknown>,
  };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}
