import {
  findEvent,
  findRun,
  findWorkflowVersion,
  loadRunSteps,
  type RunRow,
} from '../store/index.ts';
import {
  DEFAULT_EXPRESSION_LIMITS,
  resolveTemplate,
  type WorkflowDefinition,
} from '../workflows/index.ts';

/** Showing a case re-evaluates the failed step's `with:`: a runaway there must not hold the API for long. */
const DISPLAY_LIMITS = { ...DEFAULT_EXPRESSION_LIMITS, timeoutMs: 200 };
import type { CaseRow } from './model.ts';
import type { Db } from './queries.ts';

export interface RunOfCase {
  id: string;
  status: string;
  input: unknown;
}

export interface FailedStep {
  id: string;
  /**
   * The step's `with:` block resolved against the run as it is now (its input and the
   * checkpointed outputs of the steps before): what a retry would send. Null when the
   * workflow version or an expression cannot give it.
   */
  input: unknown;
  error: unknown;
  /** Attempts of the step at its last position (retries included). */
  attempts: number;
}

/** The run a case belongs to, and for a dead letter the step that failed, from the run's checkpoints. */
export async function runAndFailedStep(
  db: Db,
  c: CaseRow,
): Promise<{ run: RunOfCase | null; failedStep: FailedStep | null }> {
  if (c.run_id === null) return { run: null, failedStep: null };
  const run = await findRun(db, c.run_id);
  if (!run) return { run: null, failedStep: null };
  const view = { id: String(run.id), status: run.status, input: run.input };
  if (c.kind !== 'run_failed' || c.step_id === null) return { run: view, failedStep: null };
  const steps = await loadRunSteps(db, c.run_id);
  const ofStep = steps.filter((s) => s.step_id === c.step_id && s.status === 'failed');
  const lastSeq = ofStep.at(-1)?.seq;
  const attempts = ofStep.filter((s) => s.seq === lastSeq).length;
  const before = steps.filter((s) => lastSeq === undefined || s.seq < lastSeq);
  return {
    run: view,
    failedStep: {
      id: c.step_id,
      input: await stepInput(db, run, c.step_id, before),
      error: c.error,
      attempts,
    },
  };
}

async function stepInput(
  db: Db,
  run: RunRow,
  stepId: string,
  before: { step_id: string; status: string; output: unknown; error: unknown }[],
): Promise<unknown> {
  const version = await findWorkflowVersion(db, run.workflow_id, run.workflow_hash);
  // Stored by the catalog only after it validated the definition.
  const definition = version?.definition as WorkflowDefinition | undefined;
  const step = definition?.steps.find((s) => s.id === stepId);
  if (!step) return null;
  const memory: Record<string, { output: unknown; error: unknown }> = {};
  for (const s of before) {
    if (s.status === 'completed') memory[s.step_id] = { output: s.output ?? null, error: null };
    else if (s.status === 'failed') memory[s.step_id] = { output: null, error: s.error ?? null };
  }
  const event = run.event_id === null ? null : await eventOf(db, run.event_id);
  try {
    return await resolveTemplate(
      step.with ?? {},
      {
        event,
        input: run.input,
        steps: memory,
        run: { id: String(run.id), workflowId: run.workflow_id, version: run.workflow_hash },
        vars: {},
      },
      { limits: DISPLAY_LIMITS },
    );
  } catch {
    return null; // an expression that needs what only the worker has (vars, say), or one that ran past its limits
  }
}

async function eventOf(db: Db, eventId: string): Promise<unknown> {
  const e = await findEvent(db, eventId);
  return e
    ? {
        id: String(e.id),
        source: e.source,
        type: e.type,
        key: e.dedupe_key,
        payload: e.payload,
        receivedAt: new Date(e.received_at).toISOString(),
      }
    : null;
}
