import { z } from 'zod';
import { CrossdockError, type ErrorDetail } from '../errors/index.ts';
import {
  compileJsonSchema,
  DEFAULT_EXPRESSION_LIMITS,
  evaluateExpression,
  type ExpressionLimits,
} from '../workflows/index.ts';
import type { RunOrder } from '../store/index.ts';
import type { CompiledWorkflow } from './catalog.ts';
import { orderOf } from './ordering.ts';
import { SCHEDULE_EVENT, SCHEDULE_SOURCE } from './scheduler.ts';

export interface RoutableEvent {
  id?: string;
  source: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

export interface Route {
  workflow: CompiledWorkflow;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  /** When the run's work is due by (its priority), from the workflow's `priority.due_by`. */
  dueBy: Date | null;
  /** Null: the workflow does not order its events (or this event has no business key). */
  order: RunOrder | null;
}

/** The expression scope at intake: what a trigger filter or concurrency key can see. */
export function intakeScope(event: RoutableEvent): Record<string, unknown> {
  return {
    event: {
      id: event.id ?? null,
      source: event.source,
      type: event.type,
      key: event.key,
      payload: event.payload,
      receivedAt: event.receivedAt.toISOString(),
    },
    input: event.payload,
  };
}

function triggerMatches(workflow: CompiledWorkflow, event: RoutableEvent): boolean {
  const trigger = workflow.definition.trigger;
  if (!trigger) return false;
  if (trigger.schedule !== undefined) {
    return (
      event.source === SCHEDULE_SOURCE &&
      event.type === SCHEDULE_EVENT &&
      event.payload.workflow === workflow.id
    );
  }
  if (trigger.event === undefined) return false;
  if (trigger.source !== undefined && trigger.source !== event.source) return false;
  if (trigger.event.endsWith('*')) return event.type.startsWith(trigger.event.slice(0, -1));
  return trigger.event === event.type;
}

const schemaCache = new WeakMap<object, z.ZodType>();
function payloadSchema(schema: Record<string, unknown>): z.ZodType {
  let compiled = schemaCache.get(schema);
  if (!compiled) {
    compiled = compileJsonSchema(schema);
    schemaCache.set(schema, compiled);
  }
  return compiled;
}

/**
 * Checks the payload against the schema of every workflow this event type triggers.
 * Throws EVENT_SCHEMA_MISMATCH listing each failing path, before anything is stored.
 */
export function checkEventSchemas(workflows: CompiledWorkflow[], event: RoutableEvent): void {
  const details: ErrorDetail[] = [];
  for (const workflow of workflows) {
    const schema = workflow.definition.trigger?.schema;
    if (!schema || !triggerMatches(workflow, event)) continue;
    const result = payloadSchema(schema).safeParse(event.payload);
    if (!result.success) {
      for (const issue of result.error.issues) {
        details.push({
          path: ['payload', ...issue.path].join('.'),
          message: `${issue.message} (schema of workflow ${workflow.id})`,
        });
      }
    }
  }
  if (details.length > 0) {
    throw new CrossdockError(
      'EVENT_SCHEMA_MISMATCH',
      `Event ${event.type} does not match the schema its workflows require`,
      {
        category: 'user',
        retryable: false,
        details,
      },
    );
  }
}

/** Which current workflows this event starts, with their concurrency keys. */
export async function routeEvent(
  workflows: CompiledWorkflow[],
  event: RoutableEvent,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<Route[]> {
  const scope = intakeScope(event);
  const routes: Route[] = [];
  for (const workflow of workflows) {
    if (!triggerMatches(workflow, event)) continue;
    const filter = workflow.definition.trigger?.filter;
    if (
      filter !== undefined &&
      !(await evaluateExpression(filter, scope, {
        limits,
        where: workflow.where('trigger.filter'),
      }))
    )
      continue;
    routes.push({
      workflow,
      ...(await concurrencyOf(workflow, scope, limits)),
      dueBy: await dueByOf(workflow, scope, limits),
      order: await orderOf(workflow, scope, limits),
    });
  }
  return routes;
}

export async function concurrencyOf(
  workflow: CompiledWorkflow,
  scope: Record<string, unknown>,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
) {
  const concurrency = workflow.definition.concurrency;
  let concurrencyKey: string | null = null;
  if (concurrency?.key !== undefined) {
    const value = await evaluateExpression(concurrency.key, scope, {
      limits,
      where: workflow.where('concurrency.key'),
    });
    concurrencyKey = value === null || value === '' ? null : String(value);
  }
  return { concurrencyKey, concurrencyLimit: concurrency?.limit ?? null };
}

/** An ISO 8601 date-time with its offset (Z or +hh:mm): a due-by never depends on the server's zone. */
const DATE_TIME_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The run's priority: when its work is due by, or null (no `priority`, or the expression gave null). */
export async function dueByOf(
  workflow: CompiledWorkflow,
  scope: Record<string, unknown>,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<Date | null> {
  const expression = workflow.definition.priority?.due_by;
  if (expression === undefined) return null;
  const value = await evaluateExpression(expression, scope, {
    limits,
    where: workflow.where('priority.due_by'),
  });
  if (value === null || value === undefined) return null;
  const at =
    typeof value === 'string' && DATE_TIME_WITH_OFFSET.test(value) ? new Date(value) : null;
  if (at === null || !Number.isFinite(at.getTime()))
    throw new CrossdockError(
      'RUN_PRIORITY_INVALID',
      `Workflow ${workflow.id}: priority.due_by gave ${JSON.stringify(value)?.slice(0, 80)}, not a date-time with an offset (e.g. 2026-03-02T17:00:00Z)`,
      {
        category: 'user',
        retryable: false,
        details: [
          {
            path: 'priority.due_by',
            message: `workflow ${workflow.id}: not a date-time with an offset`,
          },
        ],
      },
    );
  return at;
}
