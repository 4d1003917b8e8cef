/**
 * The demo triages from its first exception case: its store starts empty, so the offline
 * triage model has nothing to learn from yet and would abstain on every case. When no model
 * exists it is trained once from the shipped labelled set (ai/eval/triage-train.jsonl), as
 * `crossdock ai train --set` would, and the demo says so; the nightly retraining then learns
 * from what people decide in the demo on top of it.
 */
import { installPath } from '../install-root.ts';
import { ensureTriageModel, type Crossdock, type Printer } from '../main.ts';

const SET = 'ai/eval/triage-train.jsonl';

export async function startTriageModel(crossdock: Crossdock, out: Printer): Promise<void> {
  const start = await ensureTriageModel(
    crossdock,
    { path: installPath(...SET.split('/')), name: SET },
    'system:demo',
  );
  out.info(
    start.trained
      ? `AI triage: no offline model yet, so version ${start.version} was trained from the shipped set ${SET} (${start.examples} labelled cases); the operations pack's exception-triage workflow triages each new exception case.`
      : `AI triage: the offline model's version ${start.version} answers.`,
  );
}
