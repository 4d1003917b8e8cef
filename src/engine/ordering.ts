import { CrossdockError } from '../errors/index.ts';
import type { RunOrder } from '../store/index.ts';
import {
  DEFAULT_EXPRESSION_LIMITS,
  evaluateExpression,
  type ExpressionLimits,
} from '../workflows/index.ts';
import type { CompiledWorkflow } from './catalog.ts';

/** "2026-11-22 04:31:10.992157" (Odoo, naive UTC) or ISO 8601, with up to 9 fraction digits. */
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A sequence as decimal text the store compares: a finite number as it is, a time as
 * microseconds since 1970 (naive times are UTC, as Odoo writes them), so that two writes
 * within one millisecond still compare. Null when the value is neither.
 */
export function sequenceText(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value !== 'string') return null;
  if (/^-?\d{1,30}(\.\d{1,12})?$/.test(value.trim())) return value.trim();
  const m = TIME.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4] ?? 'Z'}`);
  if (Number.isNaN(ms)) return null;
  const micros = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  return (BigInt(ms) * 1000n + BigInt(micros)).toString();
}

/**
 * The ordering of one route, from its workflow's trigger `order:` (null when it has none, or
 * when the key evaluates to nothing: such an event is not ordered). A key whose sequence is
 * neither a number nor a time is refused at intake, naming the workflow.
 */
export async function orderOf(
  workflow: CompiledWorkflow,
  scope: Record<string, unknown>,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<RunOrder | null> {
  const order = workflow.definition.trigger?.order;
  if (!order) return null;
  const key = await evaluateExpression(order.key, scope, {
    limits,
    where: workflow.where('trigger.order.key'),
  });
  if (key === null || key === undefined || key === '') return null;
  const value = await evaluateExpression(order.sequence, scope, {
    limits,
    where: workflow.where('trigger.order.sequence'),
  });
  const sequence = sequenceText(value);
  if (sequence === null) {
    throw new CrossdockError(
      'EVENT_ORDER_INVALID',
      `Workflow ${workflow.id} orders its events, but this event's sequence is ${JSON.stringify(value) ?? 'missing'}: not a number or a time`,
      {
        category: 'user',
        retryable: false,
        details: [
          {
            path: 'payload',
            message: `trigger.order.sequence of workflow ${workflow.id} (${order.sequence}) gave ${JSON.stringify(value) ?? 'nothing'}`,
          },
        ],
      },
    );
  }
  return {
    key: String(key),
    sequence,
    policy: order.on_out_of_order,
    first: order.first === undefined ? null : String(order.first),
  };
}
