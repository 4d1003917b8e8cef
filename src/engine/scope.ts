import type { StepRow } from '../store/index.ts';

export interface StepResult {
  output: unknown;
  error: unknown;
}

/** What a run knows when it resumes: every step's latest result, and a suspended step's state. */
export interface RunMemory {
  steps: Record<string, StepResult>;
  /** How many times each step has completed in this run; part of its idempotency key. */
  completions: Record<string, number>;
  lastOutput: unknown;
  resumeState: unknown;
}

/** Rebuilds a run's memory from its checkpoints (oldest first). */
export function memoryFromCheckpoints(rows: StepRow[], currentSeq: number): RunMemory {
  const memory: RunMemory = { steps: {}, completions: {}, lastOutput: null, resumeState: undefined };
  for (const row of rows) {
    if (row.status === 'completed') {
      memory.steps[row.step_id] = { output: row.output ?? null, error: null };
      memory.completions[row.step_id] = (memory.completions[row.step_id] ?? 0) + 1;
      memory.lastOutput = row.output ?? null;
    } else if (row.status === 'failed') {
      memory.steps[row.step_id] = { output: null, error: row.error ?? null };
    } else if (row.seq === currentSeq) {
      memory.resumeState = row.output ?? null;
    }
  }
  return memory;
}

/**
 * The idempotency key of the next execution of a step: the run, the step, and how many
 * times the step has completed before in this run. It stays the same across retries, a
 * crash before the checkpoint, and a replay from that step; it changes only when the step
 * is meant to act again (a loop, or a replay from an earlier step that re-runs it).
 */
export function idempotencyKey(runId: string, stepId: string, memory: RunMemory): string {
  return `${runId}:${stepId}:${memory.completions[stepId] ?? 0}`;
}
