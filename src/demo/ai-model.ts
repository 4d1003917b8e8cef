/**
 * The demo triages from its first exception case: its store starts empty, so the offline
 * triage model has nothing to learn from yet and would abstain on every case. When no model
 * exists it is trained once from the shipped labelled set (ai/eval/triage-train.jsonl), as
 * `crossdock ai train --set` would, and the demo says so; the nightly retraining then learns
 * from what people decide in the demo on top of it.
 */
import { currentTriageModelVersion, readLabelledSet, trainTriageModel } from '../ai/index.ts';
import { installPath } from '../install-root.ts';
import type { Crossdock, Printer } from '../main.ts';

export const DEMO_TRAINING_SET = installPath('ai', 'eval', 'triage-train.jsonl');

export async function ensureTriageModel(crossdock: Crossdock, out: Printer): Promise<void> {
  const db = crossdock.store.db;
  const version = await currentTriageModelVersion(db);
  if (version !== null) {
    out.info(`AI triage: the offline model's version ${version} answers.`);
    return;
  }
  const summary = await trainTriageModel(db, {
    now: crossdock.engine.clock.now(),
    by: 'system:demo',
    imported: { file: 'ai/eval/triage-train.jsonl', cases: readLabelledSet(DEMO_TRAINING_SET) },
  });
  out.info(
    `AI triage: no offline model yet, so version ${summary.version} was trained from the shipped set ai/eval/triage-train.jsonl (${summary.examples} labelled cases); each new exception case is triaged by the operations pack's exception-triage workflow.`,
  );
}
