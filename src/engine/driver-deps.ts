import type { Logger } from '../observability/index.ts';
import type { Store } from '../store/index.ts';
import type { ExpressionLimits, StepContext } from '../workflows/index.ts';
import type { WorkflowCatalog } from './catalog.ts';
import type { Checkpointer } from './checkpointer.ts';
import type { Clock, Random } from './clock.ts';
import type { EngineEvents } from './events.ts';
import type { StepRegistry } from './step-registry.ts';

export interface DriverDeps {
  store: Store;
  catalog: WorkflowCatalog;
  steps: StepRegistry;
  clock: Clock;
  random: Random;
  events: EngineEvents;
  logger: Logger;
  checkpointer: Checkpointer;
  /** Values every expression can read as `vars` (e.g. the API's own URL). */
  vars: Record<string, unknown>;
  /** Bounds on every expression a step evaluates; a breach fails the step, not retryable. */
  expressionLimits: ExpressionLimits;
  /** How long a step waits for the key it declares (`serializeOn`) before STEP_LOCK_BUSY. */
  stepLockWaitMs: number;
  /** The engine's intake, for steps that emit events. */
  accept: StepContext['emitEvent'];
}

/** Where a run stands: the step under its cursor, its sequence number and attempts so far. */
export interface Position {
  cursor: string;
  seq: number;
  stepAttempt: number;
}
