import { Cron } from 'croner';
import { z } from 'zod';
import { compileJsonSchema } from './json-schema.ts';
import { expression } from './step-type.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'use letters, digits, "_", "-" and "."');

export const RetryPolicySchema = z.strictObject({
  max_attempts: z.int().min(1).max(100).default(3),
  initial_delay_ms: z.int().min(0).default(500),
  max_delay_ms: z.int().min(0).default(60_000),
  multiplier: z.number().min(1).max(10).default(2),
  /** Fraction of the delay replaced by randomness, so retries of many runs spread out. */
  jitter: z.number().min(0).max(1).default(0.2),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export const StepSchema = z.strictObject({
  id,
  type: z.string().min(1),
  description: z.string().optional(),
  with: z.record(z.string(), z.unknown()).default({}),
  /** The step that follows; defaults to the next one in the list. */
  next: id.optional(),
  /** Ends the run after this step. */
  end: z.literal(true).optional(),
  /** Where to go when the step fails for good (its error is in steps.<id>.error). */
  on_error: id.optional(),
  retry: RetryPolicySchema.optional(),
  timeout_ms: z
    .int()
    .min(1)
    .max(24 * 3600_000)
    .optional(),
  /**
   * This side-effect step may act twice without harm, though it has no idempotency of its own
   * (an odoo.call without done_when, an http.request without its key): loading accepts it.
   */
  safe_to_repeat: z.literal(true).optional(),
  /** What a dry run uses as this step's output instead of acting (side-effect steps only). */
  dry_run: z.strictObject({ output: z.unknown() }).optional(),
});
export type StepDefinition = z.infer<typeof StepSchema>;

export const TriggerSchema = z
  .strictObject({
    /** Event type that starts the workflow (a prefix ending in * matches many). */
    event: z.string().min(1).optional(),
    /** Or a cron schedule (seconds optional): one run per slot, across all workers. */
    schedule: z
      .string()
      .min(1)
      .superRefine((pattern, ctx) => {
        try {
          new Cron(pattern, { paused: true });
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `not a cron pattern: ${(error as Error).message}`,
          });
        }
      })
      .optional(),
    /** IANA time zone of the schedule (default UTC). */
    timezone: z.string().min(1).optional(),
    source: z.string().min(1).optional(),
    /** JSONata over the event; the run starts only when it is truthy. */
    filter: expression().optional(),
    /** JSON Schema the event payload must satisfy; an event that fails it is refused at intake. */
    schema: z
      .record(z.string(), z.unknown())
      .superRefine((schema, ctx) => {
        try {
          compileJsonSchema(schema);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `not a usable JSON Schema: ${(error as Error).message}`,
          });
        }
      })
      .optional(),
    /**
     * Events about one business object are handled in the order the source gave them:
     * `key` names the object, `sequence` is the source's number or time for the event. An
     * event older than one already acted on for its key is handled by `on_out_of_order`.
     */
    order: z
      .strictObject({
        key: expression(),
        sequence: expression(),
        /** skip: start nothing; case: start nothing and open an exception case; park: wait for the predecessor (integer sequences). */
        on_out_of_order: z.enum(['skip', 'park', 'case']),
        /** With park: the sequence of a key's first event; a later first event waits for it. */
        first: z.int().optional(),
      })
      .refine((o) => o.first === undefined || o.on_out_of_order === 'park', {
        message: '`first` only applies to on_out_of_order: park',
        path: ['first'],
      })
      .optional(),
  })
  .refine((t) => (t.event === undefined) !== (t.schedule === undefined), {
    message: 'a trigger needs either event or schedule (not both)',
  })
  .refine((t) => t.order === undefined || t.event !== undefined, {
    message: 'only event triggers can order their events',
    path: ['order'],
  });

export const WorkflowSchema = z.strictObject({
  id,
  /** A label for people; the content hash is what pins a run. */
  version: z.union([z.string(), z.number()]).optional(),
  description: z.string().optional(),
  trigger: TriggerSchema.optional(),
  concurrency: z
    .strictObject({
      /** JSONata over the event: runs with the same key run one at a time. */
      key: expression().optional(),
      /** At most this many active runs of this workflow. */
      limit: z.int().min(1).optional(),
    })
    .optional(),
  /**
   * How a run's priority is derived at intake. `due_by`: JSONata over the event (`input`,
   * `event`) giving the time the run's work is due by (an ISO 8601 date-time with an offset,
   * or null for none): among due runs, workers take the earliest due first.
   */
  priority: z.strictObject({ due_by: expression() }).optional(),
  /** JSONata over the final scope; defaults to the last step's output. */
  output: expression().optional(),
  retry: RetryPolicySchema.optional(),
  steps: z.array(StepSchema).min(1, 'a workflow needs at least one step'),
});
export type WorkflowDefinition = z.infer<typeof WorkflowSchema>;

/** A workflow as loaded: its definition, where it came from, and its content hash. */
export interface LoadedWorkflow {
  definition: WorkflowDefinition;
  hash: string;
  file: string | null;
}
