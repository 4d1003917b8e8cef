import { z } from 'zod';
import { compileExpression, isExpressionString } from './expressions.ts';

/**
 * The contract a step type implements; built-in types and TypeScript plugins alike.
 * The engine resolves `=`-expressions in the step's `with:` block, validates the result
 * against `config`, and calls `execute`. A step that has side effects must make them
 * idempotent with `ctx.idempotencyKey`, which is the same on every attempt, after a crash,
 * and on a replay (from this step or an earlier one); it is new only for another iteration of
 * a loop or when an operator asks the step to act again.
 */
export interface StepType<C = unknown> {
  readonly type: string;
  readonly description: string;
  /** Schema of the `with:` block; expression strings are accepted wherever `dynamic()` says. */
  readonly config: z.ZodType<C>;
  /** True if the step acts on the outside world; a dry run reports it instead of running it. */
  readonly sideEffect: boolean;
  /**
   * The step computes from the run's own scope alone: no call out, no read of the store, the
   * same answer when it runs again (a transform, a branch, a decision table). Its checkpoint
   * is committed with the next step's, not before it starts: after a crash in between it runs
   * again, which nobody outside the run can tell (docs/decisions/0070).
   */
  readonly pure?: boolean;
  /**
   * For a side-effect step: why this configuration is NOT safe to repeat, or null when it is
   * (a key, a `done_when`). Loading refuses such a step unless it says `safe_to_repeat: true`.
   * Absent: the type makes every repeat harmless with `ctx.idempotencyKey`.
   */
  unsafeToRepeat?(config: C): string | null;
  /**
   * For a side-effect step whose repeat is recognised by something of its own, not by
   * `ctx.idempotencyKey` (a record's external reference, an event's key, a state check):
   * how, in a few words. A replay cannot make such a step act again by giving it a new key.
   */
  readonly ownIdempotency?: string;
  /**
   * The step decides rather than acts (an approval): a replay that re-runs it asks again,
   * with a new key, instead of taking the earlier answer.
   */
  readonly decidesAgainOnReplay?: boolean;
  /**
   * For a step that looks for what an earlier execution made and acts if it finds nothing
   * (search, then create): the record it acts on, as a key ("odoo:<connection>:stock.picking:42"),
   * or null for none. The engine holds the key for the step's whole execution, across every
   * worker and process, so a second execution of the same step (its run claimed again after a
   * lease expired while the first was still inside it) or another run acting on the same
   * record starts only once the first has finished, and its look finds what the first made.
   */
  serializeOn?(config: C, ctx: StepContext): string | null;
  /** Step ids this configuration can jump to, for the static graph check. */
  targets?(config: C): string[];
  /** Further static checks when the workflow loads (a `decide` step's policy exists); paths are inside `with:`. */
  check?(config: C): { path: (string | number)[]; message: string }[];
  /** Control-flow steps see the raw `with:` block; their conditions are evaluated by them. */
  readonly rawConfig?: boolean;
  execute(ctx: StepContext, config: C): Promise<StepOutcome>;
  /** One line for a dry run: what this step would do. */
  describe?(config: C): string;
}

export interface StepContext {
  readonly runId: string;
  readonly workflowId: string;
  readonly stepId: string;
  /** Stable across attempts, crashes and replays; new for a loop's next iteration or an explicit "act again". */
  readonly idempotencyKey: string;
  readonly attempt: number;
  /** The expression scope: { event, input, steps, run }. */
  readonly scope: Record<string, unknown>;
  /** What this step saved when it suspended before (a wait's deadline), if it did. */
  readonly resumeState: unknown;
  readonly now: () => Date;
  /** The engine's source of randomness (a backoff's jitter): injected, so a test can fix it. */
  readonly random: () => number;
  readonly signal: AbortSignal;
  /** Evaluates a JSONata expression in this step's scope. */
  evaluate(expression: string): Promise<unknown>;
  /** Takes a buffered signal for this run, if one with this name has arrived. */
  takeSignal(name: string): Promise<{ payload: unknown } | undefined>;
  /** Accepts an event into this Crossdock's intake (deduplicated by source and key). */
  emitEvent(event: {
    source: string;
    type: string;
    key: string;
    payload: Record<string, unknown>;
  }): Promise<{ eventId: string; duplicate: boolean; runIds: string[] }>;
  /** Cancels the active runs of a workflow under a concurrency key (never this run); returns their ids. */
  cancelRuns(workflowId: string, concurrencyKey: string, reason: string): Promise<string[]>;
  /** Sends a named signal to the active runs of a workflow under a concurrency key (never this run); returns their ids. */
  signalRuns(
    workflowId: string,
    concurrencyKey: string,
    name: string,
    payload: unknown,
  ): Promise<string[]>;
  /** Starts (once) a child run of another workflow; returns its run id. */
  startSubflow(workflowId: string, input: unknown): Promise<string>;
  readonly log: (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    data?: unknown,
  ) => void;
}

export type StepOutcome =
  | { kind: 'done'; output: unknown; next?: string | null }
  | {
      kind: 'suspend';
      /** Resume at this time even if nothing arrives; undefined waits for a signal only. */
      until?: Date;
      /** Saved and handed back as `resumeState` when the step runs again. */
      state: unknown;
    };

/** A JSONata expression (conditions): checked to parse when the workflow loads. */
export const expression = () =>
  z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      try {
        compileExpression(source);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    });

/** A value that may also be given as an `=`-expression resolved at run time. */
export function dynamic<T extends z.ZodType>(schema: T) {
  // One check: a plain string is refused here cheaply, without trying to compile it.
  const expr = z.string().superRefine((source, ctx) => {
    if (!isExpressionString(source)) {
      ctx.addIssue({ code: 'custom', message: 'not an expression' });
      return;
    }
    try {
      compileExpression(source.slice(1).trim());
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
  return z.union([expr, schema]);
}
