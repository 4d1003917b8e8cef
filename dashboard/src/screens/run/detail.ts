import type { RunSummary } from '../Runs.tsx';

/** What GET /runs/:id answers: the run, its step attempts and the signals sent to it. */
export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  availableAt: string | null;
  steps: {
    seq: number;
    attempt: number;
    stepId: string;
    type: string;
    status: string;
    output: unknown;
    error: unknown;
    startedAt: string;
    endedAt: string;
  }[];
  signals: { name: string; payload: unknown; sentAt: string; consumedSeq: number | null }[];
}

/** States a run does not leave. */
export const ENDED = new Set(['completed', 'failed', 'cancelled']);
