import { sql } from 'kysely';
import { runStatus } from '../store/index.ts';
import { startLevel } from './assignment.ts';
import { bulkGroupKey, type BulkDecision } from './bulk.ts';
import {
  record,
  requestRow,
  type ApprovalsContext,
  type ApprovalsOptions,
  type Decider,
  type OpenRequest,
} from './context.ts';
import { decideMany, decideOne, linkDecider } from './deciding.ts';
import { ApproverDirectory } from './directory.ts';
import { ApprovalLinks } from './links.ts';
import { mirrorStateOf } from './mirror-state.ts';
import {
  listRequests,
  listStalledRequests,
  type ListFilter,
  type StalledFilter,
} from './queries.ts';
import { breach, remind } from './sla.ts';
import type { MirrorState } from './step.ts';
import {
  toView,
  type ApprovalAction,
  type ApprovalView,
  type Decision,
  type DecisionVia,
  type RequestRow,
} from './model.ts';

export type {
  ApprovalNotice,
  ApprovalNotifier,
  ApprovalsOptions,
  Decider,
  NoEligibleApproverHandler,
  OpenRequest,
  SecondFactor,
} from './context.ts';

/**
 * Approval requests: opened by the `approval` step, decided by people (API, CLI, e-mailed
 * links), moved along by the step's timers (reminders, escalation, auto-decisions). Every
 * change, its history row and its audit entry commit in one transaction.
 */
export class ApprovalsService {
  readonly directory: ApproverDirectory;
  readonly links: ApprovalLinks;
  readonly #o: ApprovalsOptions;
  readonly #c: ApprovalsContext;

  constructor(options: ApprovalsOptions) {
    this.#o = options;
    this.directory = new ApproverDirectory(options.db);
    this.links = new ApprovalLinks(options.db, options.linkTtlHours ?? 72);
    this.#c = { o: options, directory: this.directory, links: this.links };
  }

  /** Opens the request for a step position, or finds the one it opened before. */
  async open(input: OpenRequest): Promise<ApprovalView> {
    const now = this.#o.now();
    return this.#o.db.transaction().execute(async (tx) => {
      const bulkGroup = input.bulk === true ? bulkGroupKey(input) : null;
      const inserted = (
        await sql<RequestRow>`
        INSERT INTO approval_requests (step_key, run_id, workflow_id, subject, summary, policy, requester, conflicts, chain, status, level_started_at, created_at, bulk_group)
        VALUES (${input.stepKey}, ${input.runId}, ${input.workflowId}, ${JSON.stringify(input.subject)}::jsonb, ${input.summary},
                ${JSON.stringify(input.policy ?? null)}::jsonb, ${input.requester}, ${JSON.stringify(input.conflicts)}::jsonb,
                ${JSON.stringify(input.chain)}::jsonb, 'pending', ${now}, ${now}, ${bulkGroup})
        ON CONFLICT (step_key) DO NOTHING RETURNING *`.execute(tx)
      ).rows[0];
      if (!inserted) return toView(await requestRow(tx, { stepKey: input.stepKey }));
      await record(this.#c, tx, inserted, {
        action: 'requested',
        actor: `workflow:${input.workflowId} run:${input.runId}`,
        via: 'system',
        details: { requester: input.requester },
      });
      await startLevel(this.#c, tx, inserted, 0, now, 'request');
      return toView(await requestRow(tx, { id: inserted.id }));
    });
  }

  /** Sends a due reminder, or acts on a passed deadline (escalate or auto-decide). The step calls it. */
  async tick(id: string): Promise<ApprovalView> {
    const now = this.#o.now();
    return this.#o.db.transaction().execute(async (tx) => {
      const r = await requestRow(tx, { id }, true);
      const timer = toView(r).nextTimerAt;
      if (r.status !== 'pending' || timer === null || new Date(timer) > now) return toView(r);
      if (r.level_due_at !== null && now >= new Date(r.level_due_at))
        await breach(this.#c, tx, r, now);
      else await remind(this.#c, tx, r, now);
      return toView(await requestRow(tx, { id }));
    });
  }

  /**
   * A person's decision. Refusals (SoD, escalated away, a step-up level without a valid
   * `code` from the decider's authenticator) are recorded in the history, then thrown.
   */
  async decide(
    id: string,
    who: Decider,
    decision: Decision,
    reason: string | null,
    via: DecisionVia,
    proof: { linkToken?: string; code?: string } = {},
  ): Promise<ApprovalView> {
    return decideOne(this.#c, id, who, decision, reason, via, proof);
  }

  /**
   * Approves identical requests together (same bulkGroup). The whole call is refused before
   * anything is decided when any id is unknown, listed twice, not pending, not allowed in
   * bulk or in another group. Then each request is decided as `decide` does, in its own
   * transaction (history row, audit entry, segregation of duties): one refusal does not undo
   * the others, and each outcome says which. A failure that is not the request's own (the
   * store went away) is thrown; what was decided before it stays decided.
   */
  async decideMany(
    ids: string[],
    who: Decider,
    reason: string | null,
    via: DecisionVia,
  ): Promise<BulkDecision> {
    return decideMany(this.#c, ids, who, reason, via);
  }

  /** Decides through an e-mailed link: the link names the request and the person. */
  async decideByLink(
    token: string,
    decision: Decision,
    reason: string | null,
    code?: string,
  ): Promise<ApprovalView> {
    const link = await this.links.peek(token, this.#o.now());
    const who = await linkDecider(this.#c, link.userId, 'link');
    return this.decide(link.requestId, who, decision, reason, 'link', {
      linkToken: token,
      ...(code === undefined ? {} : { code }),
    });
  }

  async show(id: string): Promise<ApprovalView & { runStatus: string; actions: ApprovalAction[] }> {
    const r = await requestRow(this.#o.db, { id });
    const runState = (await runStatus(this.#o.db, r.run_id))!; // approval_requests.run_id references runs
    const actions = (
      await sql<{
        at: Date;
        level: number;
        action: string;
        actor: string;
        user_id: string | null;
        on_behalf_of: string | null;
        via: string;
        reason: string | null;
        details: Record<string, unknown>;
      }>`
      SELECT at, level, action, actor, user_id, on_behalf_of, via, reason, details FROM approval_actions WHERE request_id = ${id} ORDER BY id`.execute(
        this.#o.db,
      )
    ).rows;
    return {
      ...toView(r),
      runStatus: runState,
      actions: actions.map((a) => ({
        at: new Date(a.at).toISOString(),
        level: a.level,
        action: a.action,
        actor: a.actor,
        userId: a.user_id && String(a.user_id),
        onBehalfOf: a.on_behalf_of && String(a.on_behalf_of),
        via: a.via,
        reason: a.reason,
        details: a.details,
      })),
    };
  }

  /** The request with its approvers' Odoo users, its stages and the decision, for an ERP mirror. */
  async mirrorState(id: string): Promise<MirrorState> {
    const { actions, runStatus: _, ...request } = await this.show(id);
    return mirrorStateOf(this.#o.db, request, actions);
  }

  /** Requests, soonest deadline first; `assignedTo` is an inbox (including delegations to that user). */
  async list(filter: ListFilter = {}): Promise<{ approvals: ApprovalView[]; total: number }> {
    const now = this.#o.now();
    const seats = filter.assignedTo ? await this.directory.actingFor(filter.assignedTo, now) : null;
    return listRequests(this.#o.db, filter, seats);
  }

  /** Pending requests that are stalled, for scheduled scans (read-only): see listStalledRequests. */
  async listStalled(filter: StalledFilter): Promise<{ approvals: ApprovalView[]; total: number }> {
    return listStalledRequests(this.#o.db, filter, this.#o.now());
  }
}
