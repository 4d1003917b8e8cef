import type { AuditLog } from '../audit/index.ts';
import type { RunsService } from '../engine/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { lockActionInputValue, recordEvent, updateCase } from '../store/index.ts';
import { actionInputs, checkActionInputs, type ActionInput } from './action-inputs.ts';
import { auditCaseChange } from './case-change.ts';
import { runAndFailedStep } from './detail.ts';
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
  const { inputs, specs } = await checkedInputs(deps, first, id, action, given);
  const own = specs.some((s) => s.unique && inputs[s.name] !== undefined)
    ? await caseAbout(deps.db, first)
    : null;
  const lockAndRecord = async (tx: Db): Promise<CaseRow> => {
    const row = await loadCase(tx, id, true);
    const allowed = caseActions(row);
    if (row.status !== 'open')
      throw exceptionErrors.illegal(id, row.status, `acted on (${action})`);
    if (!allowed.includes(action))
      throw exceptionErrors.actionNotAllowed(id, row.type, action, allowed);
    await claimUniqueInputs(tx, row, own, action, specs, inputs);
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

/**
 * What a case is about, by name: its subject's; else, for a dead letter of carrier.book,
 * the reference of the shipment the failed step was given, which that step's contract makes
 * the Odoo delivery's name.
 */
async function caseAbout(db: Db, row: CaseRow): Promise<string | null> {
  if (row.subject) return row.subject.name ?? `${row.subject.model} ${row.subject.id}`;
  if (row.error_code !== 'CARRIER_ALL_FAILED') return null;
  const { failedStep } = await runAndFailedStep(db, row);
  const shipment = (failedStep?.input as { shipment?: { reference?: unknown } } | null)?.shipment;
  return typeof shipment?.reference === 'string' ? shipment.reference : null;
}

/**
 * Refuses a value of a unique input (a tracking reference) that another case's action was
 * given already, unless that case is about the same thing as this one (`own`: a later case
 * of the same delivery). Runs in the action's transaction under a lock on the value, before
 * the action is recorded: of two cases given one new value at once, the second waits for
 * the first to commit, then finds its history row, so exactly one takes it. (The check
 * against Odoo, before the lock, cannot see a value whose write to Odoo is still to come.)
 */
async function claimUniqueInputs(
  tx: Db,
  row: CaseRow,
  own: string | null,
  action: string,
  specs: ActionInput[],
  inputs: Record<string, string>,
): Promise<void> {
  for (const spec of specs) {
    const value = inputs[spec.name];
    if (!spec.unique || value === undefined) continue;
    for (const other of await lockActionInputValue(tx, action, spec.name, value, row.id)) {
      const what = await caseAbout(tx, other.case);
      if (own !== null && what === own) continue;
      const to = what === null ? `exception case ${other.case.id}` : `delivery ${what}`;
      throw new CrossdockError(
        spec.unique,
        `${spec.label} ${value} was already given to ${to} (exception case ${other.case.id}, ${action} by ${other.actor} at ${other.at.toISOString()}); check it with the carrier`,
        {
          category: 'user',
          retryable: false,
          details: [{ path: `inputs.${spec.name}`, message: `already given to ${to}` }],
        },
      );
    }
  }
}

/** The action's inputs checked (before any lock: the check may ask Odoo), and their specs. */
async function checkedInputs(
  deps: ActDeps,
  row: CaseRow,
  id: string,
  action: string,
  given: Record<string, unknown>,
): Promise<{ inputs: Record<string, string>; specs: ActionInput[] }> {
  const allowed = caseActions(row);
  if (!(CASE_ACTIONS as readonly string[]).includes(action) || !allowed.includes(action)) {
    if (row.status !== 'open')
      throw exceptionErrors.illegal(id, row.status, `acted on (${action})`);
    throw exceptionErrors.actionNotAllowed(id, row.type, action, allowed);
  }
  const specs = (actionInputs(action, deps.carrierCodes()) ?? []).filter((s) => s.name !== 'note');
  const inputs = checkActionInputs(id, action, specs, given);
  if (deps.check) await deps.check(action as CaseAction, row, inputs);
  return { inputs, specs };
}
