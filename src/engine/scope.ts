import type { ReplayMarker, StepRow } from '../store/index.ts';

export interface StepResult {
  output: unknown;
  error: unknown;
}

/** What a run knows when it resumes: every step's latest result, and a suspended step's state. */
export interface RunMemory {
  steps: Record<string, StepResult>;
  /**
   * The positions (seq) at which each step completed on the run's current line: a replay
   * from step X takes X's last completion and everything after it off the line, since
   * the replay does that work over. Part of the idempotency key.
   */
  line: Record<string, number[]>;
  /** Every completion of each step in this run, replays or not (steps that decide again on a replay). */
  completions: Record<string, number>;
  /** How many times an operator asked each step to act again (`again` on a replay). */
  again: Record<string, number>;
  lastOutput: unknown;
  resumeState: unknown;
}

export function emptyMemory(): RunMemory {
  return {
    steps: {},
    line: {},
    completions: {},
    again: {},
    lastOutput: null,
    resumeState: undefined,
  };
}

/**
 * Rebuilds a run's memory from its checkpoints and replay markers (both oldest first). A
 * marker applies before the checkpoints at or after its seq. `onRow`, if given, sees each
 * checkpoint with the memory as it was when that step ran (for the keys it used).
 */
export function memoryFromCheckpoints(
  rows: StepRow[],
  currentSeq: number,
  replays: readonly ReplayMarker[] = [],
  onRow?: (row: StepRow, memory: RunMemory) => void,
): RunMemory {
  const memory = emptyMemory();
  let next = 0;
  for (const row of rows) {
    while (next < replays.length && replays[next]!.seq <= row.seq)
      applyReplay(memory, replays[next++]!);
    onRow?.(row, memory);
    if (row.status === 'completed')
      recordCompletion(memory, row.step_id, row.seq, row.output ?? null);
    else if (row.status === 'failed')
      memory.steps[row.step_id] = { output: null, error: row.error ?? null };
    else if (row.seq === currentSeq) memory.resumeState = row.output ?? null;
  }
  while (next < replays.length) applyReplay(memory, replays[next++]!);
  return memory;
}

export function recordCompletion(
  memory: RunMemory,
  stepId: string,
  seq: number,
  output: unknown,
): void {
  memory.steps[stepId] = { output, error: null };
  (memory.line[stepId] ??= []).push(seq);
  memory.completions[stepId] = (memory.completions[stepId] ?? 0) + 1;
  memory.lastOutput = output;
}

/** A replay from `fromStep` redoes its last completion and what followed: those leave the line. */
export function applyReplay(memory: RunMemory, replay: ReplayMarker): void {
  // From the step the run stopped at: that execution never completed, nothing is redone.
  const redone =
    replay.fromStep === replay.stoppedAt
      ? undefined
      : memory.line[replay.fromStep]?.filter((seq) => seq < replay.seq).at(-1);
  if (redone !== undefined) {
    for (const [stepId, seqs] of Object.entries(memory.line))
      memory.line[stepId] = seqs.filter((seq) => seq < redone);
  }
  for (const stepId of replay.again) memory.again[stepId] = (memory.again[stepId] ?? 0) + 1;
}

/**
 * The idempotency key of the next execution of a step: the run, the step, and how many times
 * the step has completed before on the run's current line. It stays the same across retries,
 * a crash before the checkpoint, and a replay, from that step or from an earlier one: a step
 * that acted before acts with the key it used, so the receiver sees a repeat. It changes when
 * the step is meant to act again: a loop (another completion on the line), or an operator's
 * explicit "act again" on a replay (`:again-<k>`, a key never used before). A step that
 * decides rather than acts (`decidesAgainOnReplay`, an approval) counts every completion, so
 * a replay asks again.
 */
export function idempotencyKey(
  runId: string,
  stepId: string,
  memory: RunMemory,
  decidesAgainOnReplay = false,
): string {
  const n = decidesAgainOnReplay
    ? (memory.completions[stepId] ?? 0)
    : (memory.line[stepId]?.length ?? 0);
  const again = memory.again[stepId] ?? 0;
  return again === 0 ? `${runId}:${stepId}:${n}` : `${runId}:${stepId}:${n}:again-${again}`;
}

/**
 * True when some position before the current one has no completed checkpoint: a dead letter,
 * a cancellation, or an `on_error` edge. Only such runs can have been replayed (a replay
 * starts from a failed or cancelled run), so only theirs need their replay markers read.
 */
export function mayHaveBeenReplayed(rows: readonly StepRow[], currentSeq: number): boolean {
  const completed = new Set(rows.filter((r) => r.status === 'completed').map((r) => r.seq));
  for (let seq = 0; seq < currentSeq; seq++) if (!completed.has(seq)) return true;
  return false;
}
