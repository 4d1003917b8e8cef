import type { AuditLog } from '../audit/index.ts';
import type { RunsService } from '../engine/index.ts';
import { recordEvent, updateCase } from '../store/index.ts';
import { actionInputs, checkActionInputs } from './action-inputs.ts';
import { auditCaseChange } from './case-change.ts';
import type { Actor } from './case-input.ts';
import {
  CASE_ACTION_SIGNAL,
  CASE_ACTIONS,
  caseActions,
  DEAD_LETTER_ACTIONS,
  exceptionErrors,
  type CaseAction,
  type CaseRow,
} from './model.ts';
import { loadCase, type Db } from './queries.ts';

/**
 * A check an action must pass before it is taken, outside the case's transaction (it may
 * ask Odoo): book by hand refuses a tracking reference another delivery has. Throws a
 * CrossdockError to refuse.
 */
export type ActionCheck = (
  action: CaseAction,
  row: Pick<CaseRow, 'id' | 'subject' | 'workflow_id'>,
  inputs: Record<string, string>,
) => Promise<void>;

export interface ActDeps {
  db: Db;
  now: () => Date;
  audit: AuditLog;
  runs: () => RunsService;
  carrierCodes: () => readonly string[];
  check: ActionCheck | null;
}

/**
 * Takes an action a case offers. Refused unless the case is open and offers it, and its
 * inputs are valid. Under the case's row lock the case moves to `retrying` with its history
 * row and audit entry, so a second click (or a second operator) finds it no longer open and
 * is refused: the action is taken once. A business case's run then gets the signal
 * `case.action`; a failed run's case (book by hand) replays its run from the workflow's step
 * for the action, in the same transaction as the case's change.
 */
export async function actOnCase(
  deps: ActDeps,
  id: string,
  action: string,
  note: string | null,
  given: Record<string, unknown>,
  who: Actor,
): Promise<void> {
  const first = await loadCase(deps.db, id);
  const inputs = await checkedInputs(deps, first, id, action, given);
  const lockAndRecord = async (tx: Db): Promise<CaseRow> => {
    const row = await loadCase(tx, id, true);
    const allowed = caseActions(row);
    if (row.status !== 'open')
      throw exceptionErrors.illegal(id, row.status, `acted on (${action})`);
    if (!allowed.includes(action))
      throw exceptionErrors.actionNotAllowed(id, row.type, action, allowed);
    const now = deps.now();
    await updateCase(tx, row.id, now, { status: 'retrying', closed_at: null });
    const details = { action, note, run: String(row.run_id), ...inputs };
    await recordEvent(tx, row.id, now, who.actor, 'action', details);
    await auditCaseChange(deps.audit, tx, who, 'action', row.id, details);
    return row;
  };
  const deadLetter = first.kind === 'run_failed' ? deadLetterAction(first, action) : undefined;
  if (deadLetter) {
    const run = await deps.runs().show(String(first.run_id));
    await deps.runs().replay(String(first.run_id), {
      fromStep: deadLetter.fromStep,
      input: {
        ...(run.input as Record<string, unknown>),
        case_action: { action, case_id: id, by: who.actor, note, ...inputs },
      },
      inTransaction: async (tx) => void (await lockAndRecord(tx)),
    });
    return;
  }
  const row = await deps.db.transaction().execute(lockAndRecord);
  await deps.runs().signal(String(row.run_id), CASE_ACTION_SIGNAL, {
    action,
    case_id: id,
    by: who.actor,
    note,
    ...inputs,
  });
}

function deadLetterAction(row: CaseRow, action: string) {
  const offered = row.error_code === null ? undefined : DEAD_LETTER_ACTIONS[row.error_code];
  return offered?.action === action ? offered : undefined;
}

/** The action's inputs checked (before any lock: the check may ask Odoo). */
async function checkedInputs(
  deps: ActDeps,
  row: CaseRow,
  id: string,
  action: string,
  given: Record<string, unknown>,
): Promise<Record<string, string>> {
  const allowed = caseActions(row);
  if (!(CASE_ACTIONS as readonly string[]).includes(action) || !allowed.includes(action)) {
    if (row.status !== 'open')
      throw exceptionErrors.illegal(id, row.status, `acted on (${action})`);
    throw exceptionErrors.actionNotAllowed(id, row.type, action, allowed);
  }
  const specs = actionInputs(action, deps.carrierCodes()) ?? [];
  const inputs = checkActionInputs(
    id,
    action,
    specs.filter((s) => s.name !== 'note'),
    given,
  );
  if (deps.check) await deps.check(action as CaseAction, row, inputs);
  return inputs;
}
