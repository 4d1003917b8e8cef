import type { AuditLog } from '../audit/index.ts';
import type { RunsService } from '../engine/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { actionInputs, type ActionInput } from './action-inputs.ts';
import { actOnCase, type ActionCheck } from './case-act.ts';
import { bulkAct, type BulkRequest, type BulkResult } from './bulk.ts';
import { auditable, auditCaseChange, CLOSED, ownerUnknown, PAST } from './case-change.ts';
import { OpenCaseInput, type Actor } from './case-input.ts';
import { caseAgingReport, rootCauseGroups } from './case-reports.ts';
import { runAndFailedStep, type FailedStep, type RunOfCase } from './detail.ts';
import {
  caseActions,
  DEFAULT_SLA_HOURS,
  exceptionErrors,
  HOUR_MS,
  toView,
  type CaseEvent,
  type CaseRow,
  type CaseStatus,
  type CaseView,
  type ReasonCode,
  type Severity,
} from './model.ts';
import { caseHistory, insertCase, listCases, recordEvent, updateCase } from '../store/index.ts';
import { checkedFilter, loadCase, type CaseFilter, type Db } from './queries.ts';

export { OpenCaseInput, type Actor } from './case-input.ts';

export interface ExceptionsOptions {
  db: Db;
  now: () => Date;
  audit: AuditLog;
  /** The engine's runs (retry and replay go through RunsService.replay); a getter, as the engine is built after the steps. */
  runs: () => RunsService;
  /** The configured carriers' codes, offered by book by hand (a getter: carriers are built later). */
  carrierCodes?: () => readonly string[];
  /** Checks an action's inputs against the outside world before it is taken (see ActionCheck). */
  checkAction?: ActionCheck;
}

export type CaseDetail = CaseView & {
  /** The fields each offered action asks for (absent: none besides the note). */
  actionInputs: Record<string, ActionInput[]>;
  history: CaseEvent[];
  run: RunOfCase | null;
  failedStep: FailedStep | null;
  resolution: string | null;
  details: Record<string, unknown> | null;
  /** The run's input when the case opened. */
  openedWithInput: unknown;
};

/**
 * The exception queue. Dead letters are opened by the engine in the checkpoint transaction
 * (src/store/checkpoint-queries.ts), which also closes a retried case when its run completes;
 * everything a person does goes through here, and each change, its history row and its
 * audit entry commit in one transaction.
 */
export class ExceptionsService {
  readonly #o: ExceptionsOptions;

  constructor(options: ExceptionsOptions) {
    this.#o = options;
  }

  /**
   * Opens a case (a scheduled check, a `raise_exception` step); with a key, at most once.
   * With `tx` the case, its history and audit entry commit (or not) with the caller's change.
   */
  async openCase(
    input: OpenCaseInput,
    who: Actor,
    kind: 'check' | 'raised' = 'check',
    tx?: Db,
  ): Promise<{ case: CaseView; created: boolean }> {
    const parsed = OpenCaseInput.safeParse(input);
    if (!parsed.success) {
      throw new CrossdockError(
        'EXCEPTION_CASE_INVALID',
        'The exception case to open is not valid',
        {
          category: 'user',
          retryable: false,
          details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      );
    }
    const c = parsed.data;
    const now = this.#o.now();
    const due = new Date(now.getTime() + (c.slaHours ?? DEFAULT_SLA_HOURS) * HOUR_MS);
    const open = async (tx: Db) => {
      const { row: inserted, created } = await insertCase(
        tx,
        {
          kind,
          runId: c.runId ?? null,
          stepId: c.stepId ?? null,
          type: c.type,
          severity: c.severity,
          title: c.title,
          subject: c.subject ?? null,
          ownerTeam: c.owner?.team ?? null,
          ownerUserId: c.owner?.userId ?? null,
          dueAt: due,
          errorCode: c.code ?? null,
          workflowId: c.workflowId ?? null,
          details: c.details ?? null,
          openKey: c.key ?? null,
        },
        now,
      ).catch(ownerUnknown);
      if (!created) return { case: toView(inserted, now), created: false };
      await recordEvent(tx, inserted.id, now, who.actor, 'opened', {
        type: c.type,
        severity: c.severity,
        code: c.code ?? null,
      });
      await this.#audit(tx, who, 'open', inserted.id, {
        type: c.type,
        severity: c.severity,
        title: c.title,
        run: c.runId ?? null,
      });
      return { case: toView(inserted, now), created: true };
    };
    return tx ? open(tx) : this.#o.db.transaction().execute(open);
  }

  async list(filter: CaseFilter = {}): Promise<{ cases: CaseView[]; more: boolean }> {
    const limit = Math.min(filter.limit ?? 50, 500);
    const rows = await listCases(this.#o.db, checkedFilter(filter), limit);
    const now = this.#o.now();
    return { cases: rows.slice(0, limit).map((r) => toView(r, now)), more: rows.length > limit };
  }

  /**
   * Open cases counted for an aging report: by owner team (null: unassigned), by age bucket
   * (`ageBoundariesHours` [4, 24, 72] gives four: under 4 h, 4-24 h, 1-3 d, over 3 d) and
   * how many are past their SLA. Read-only.
   */
  async aging(
    filter: Pick<CaseFilter, 'severity' | 'owner' | 'type' | 'workflowId'>,
    ageBoundariesHours: number[],
  ): ReturnType<typeof caseAgingReport> {
    return caseAgingReport(this.#o.db, this.#o.now(), filter, ageBoundariesHours);
  }

  /** Root causes: cases of one status grouped by workflow, step and error code, biggest first. */
  async groups(status: CaseStatus = 'open'): ReturnType<typeof rootCauseGroups> {
    return rootCauseGroups(this.#o.db, status);
  }

  async show(id: string): Promise<CaseDetail> {
    const row = await loadCase(this.#o.db, id);
    const [history, { run, failedStep }] = await Promise.all([
      caseHistory(this.#o.db, row.id),
      runAndFailedStep(this.#o.db, row),
    ]);
    return {
      ...toView(row, this.#o.now()),
      history,
      run,
      failedStep,
      resolution: row.resolution,
      details: row.details,
      openedWithInput: row.input ?? null,
      actionInputs: this.#actionInputs(caseActions(row)),
    };
  }

  async assign(
    id: string,
    owner: { team?: string | null; userId?: string | null },
    who: Actor,
  ): Promise<CaseView> {
    return this.#change(id, who, 'assign', async (tx, row, now) => {
      if (CLOSED.includes(row.status))
        throw exceptionErrors.illegal(id, row.status, 'assigned', 'reopen it first');
      const team = owner.team === undefined ? row.owner_team : owner.team;
      const userId = owner.userId === undefined ? row.owner_user_id : owner.userId;
      await updateCase(tx, row.id, now, { owner_team: team, owner_user_id: userId }).catch(
        ownerUnknown,
      );
      return {
        team,
        userId: userId === null ? null : String(userId),
        from: { team: row.owner_team, userId: row.owner_user_id && String(row.owner_user_id) },
      };
    });
  }

  async comment(id: string, text: string, who: Actor): Promise<CaseView> {
    return this.#change(id, who, 'comment', async () => ({ text }));
  }

  async resolve(
    id: string,
    reasonCode: ReasonCode,
    note: string | null,
    who: Actor,
  ): Promise<CaseView> {
    return this.#change(id, who, 'resolve', async (tx, row, now) => {
      if (row.status !== 'open' && row.status !== 'retrying')
        throw exceptionErrors.illegal(id, row.status, 'resolved');
      await updateCase(tx, row.id, now, {
        status: 'resolved',
        reason_code: reasonCode,
        resolution: note,
        closed_at: now,
      });
      return { reasonCode, note };
    });
  }

  /**
   * A run's new facts about the case it raised (a further supplier delay): severity, title
   * and details replaced. A case in `retrying` (a person asked the run to check again) is
   * open again once the run has looked. A closed case is refused: its run learns that a
   * person closed it.
   */
  async update(
    id: string,
    changes: { severity?: Severity; title?: string; details?: Record<string, unknown> },
    who: Actor,
  ): Promise<CaseView> {
    return this.#change(id, who, 'update', async (tx, row, now) => {
      if (CLOSED.includes(row.status)) throw exceptionErrors.illegal(id, row.status, 'updated');
      await updateCase(tx, row.id, now, {
        status: 'open',
        ...(changes.severity ? { severity: changes.severity } : {}),
        ...(changes.title ? { title: changes.title } : {}),
        ...(changes.details ? { details: JSON.stringify(changes.details) } : {}),
      });
      return {
        ...(changes.severity && changes.severity !== row.severity
          ? { severity: changes.severity, from: row.severity }
          : {}),
        ...(changes.title && changes.title !== row.title ? { title: changes.title } : {}),
      };
    });
  }

  async reopen(id: string, reason: string, who: Actor): Promise<CaseView> {
    return this.#change(id, who, 'reopen', async (tx, row, now) => {
      if (!CLOSED.includes(row.status))
        throw exceptionErrors.illegal(id, row.status, 'reopened', 'it is not closed');
      await updateCase(tx, row.id, now, {
        status: 'open',
        closed_at: null,
        reason_code: null,
        resolution: null,
      }).catch((error) => {
        // The unique index allows one open dead letter per run: a newer one is already open.
        if ((error as { code?: string }).code === '23505')
          throw exceptionErrors.illegal(
            id,
            row.status,
            'reopened',
            `run ${row.run_id} has another open case`,
          );
        throw error;
      });
      return { reason, from: row.status };
    });
  }

  /** Runs the failed run again from its failed step with the same input (`retry`), or with a corrected one (`replay`). */
  async retry(
    id: string,
    who: Actor,
    correction: { input?: unknown; fromStep?: string } = {},
  ): Promise<CaseView> {
    const action =
      correction.input === undefined && correction.fromStep === undefined ? 'retry' : 'replay';
    const row = await loadCase(this.#o.db, id);
    if (row.kind !== 'run_failed' || row.run_id === null)
      throw exceptionErrors.notRetryable(id, row.type, caseActions(row));
    const now = this.#o.now();
    await this.#o.runs().replay(String(row.run_id), {
      ...(correction.input === undefined ? {} : { input: correction.input }),
      ...(correction.fromStep === undefined ? {} : { fromStep: correction.fromStep }),
      // In the replay's transaction: the case moves to retrying with the run, or neither changes.
      inTransaction: async (tx) => {
        const locked = await loadCase(tx, id, true);
        if (locked.status !== 'open')
          throw exceptionErrors.illegal(
            id,
            locked.status,
            action === 'retry' ? 'retried' : 'replayed',
          );
        await updateCase(tx, locked.id, now, { status: 'retrying', closed_at: null });
        const details = {
          run: String(locked.run_id),
          fromStep: correction.fromStep ?? locked.step_id,
          inputReplaced: correction.input !== undefined,
          input: correction.input === undefined ? null : auditable(correction.input),
        };
        await recordEvent(
          tx,
          locked.id,
          now,
          who.actor,
          action === 'retry' ? 'retried' : 'replayed',
          details,
        );
        await this.#audit(tx, who, action, locked.id, details);
      },
    });
    return toView(await loadCase(this.#o.db, id), this.#o.now());
  }

  /**
   * An action the case offers (check_again, release, cancel, reship for a business case;
   * book_by_hand for a run whose carriers all failed), with its inputs: see actOnCase.
   */
  async act(
    id: string,
    action: string,
    note: string | null,
    who: Actor,
    inputs: Record<string, unknown> = {},
  ): Promise<CaseView> {
    await actOnCase(
      {
        ...this.#o,
        carrierCodes: this.#o.carrierCodes ?? (() => []),
        check: this.#o.checkAction ?? null,
      },
      id,
      action,
      note,
      inputs,
      who,
    );
    return toView(await loadCase(this.#o.db, id), this.#o.now());
  }

  /** retry / resolve / assign over a list of ids or a root-cause group; a result per case. */
  async bulk(request: BulkRequest, who: Actor): Promise<BulkResult[]> {
    return bulkAct(this, this.#o.db, request, who);
  }

  #actionInputs(actions: string[]): Record<string, ActionInput[]> {
    const codes = this.#o.carrierCodes?.() ?? [];
    const forms: Record<string, ActionInput[]> = {};
    for (const action of actions) {
      const inputs = actionInputs(action, codes);
      if (inputs) forms[action] = inputs;
    }
    return forms;
  }

  /** One change under the case's row lock, with its history row and audit entry. */
  async #change(
    id: string,
    who: Actor,
    action: string,
    apply: (tx: Db, row: CaseRow, now: Date) => Promise<Record<string, unknown>>,
  ): Promise<CaseView> {
    const now = this.#o.now();
    return this.#o.db.transaction().execute(async (tx) => {
      const row = await loadCase(tx, id, true);
      const details = await apply(tx, row, now);
      await recordEvent(tx, row.id, now, who.actor, PAST[action] ?? action, details);
      await this.#audit(tx, who, action, row.id, details);
      return toView(await loadCase(tx, row.id), now);
    });
  }

  async #audit(
    tx: Db,
    who: Actor,
    action: string,
    caseId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await auditCaseChange(this.#o.audit, tx, who, action, caseId, details);
  }
}
