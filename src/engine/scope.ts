import type { StepRow } from '../store/index.ts';

export interface StepResult {
  output: unknown;
  error: unknown;
}

/** What a run knows when it resumes: every step's latest result, and a suspended step's state. */
export interface RunMemory {
  steps: Record<string, StepResult>;
  lastOutput: unknown;
  resumeState: unknown;
}

/** Rebuilds a run's memory from its checkpoints (oldest first). */
export function memoryFromCheckpoints(rows: StepRow[], currentSeq: number): RunMemory {
  const memory: RunMemory = { steps: {}, lastOutput: null, resumeState: undefined };
  for (const row of rows) {
    if (row.status === 'completed') {
      memory.steps[row.step_id] = { output: row.output ?? null, error: null };
      memory.lastOutput = row.output ?? null;
    } else if (row.status === 'failed') {
      memory.steps[row.step_id] = { output: null, error: row.error ?? null };
    } else if (row.seq === currentSeq) {
      memory.resumeState = row.output ?? null;
    }
  }
  return memory;
}
