import { sql } from 'kysely';
import type { AuditLog } from '../audit/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { ENDED_STATUSES, runStatus, wakeRun } from '../store/index.ts';
import {
  bulkErrors,
  bulkGroupKey,
  bulkProblems,
  type BulkDecision,
  type BulkNote,
  type BulkOutcome,
} from './bulk.ts';
import type { ApprovalLevel, Subject } from './definition.ts';
import { ApproverDirectory, type Assignee } from './directory.ts';
import { ApprovalLinks } from './links.ts';
import { mirrorStateOf } from './mirror-state.ts';
import {
  listRequests,
  listStalledRequests,
  type ListFilter,
  type StalledFilter,
} from './queries.ts';
import type { MirrorState } from './step.ts';
import {
  approvalErrors,
  bulkGroupOf,
  dueAfter,
  needed,
  noEligibleReason,
  sodError,
  toView,
  type ApprovalAction,
  type Db,
  type ApprovalView,
  type Decision,
  type DecisionVia,
  type RequestRow,
  type SodRule,
} from './model.ts';

/** One message to one approver; the composition root renders and queues it (the outbox). */
export interface ApprovalNotice {
  /** Dedupe key: the same notice is never queued twice. */
  key: string;
  kind: 'request' | 'reminder' | 'escalated';
  to: Assignee;
  /** Set when `to` decides for someone else (delegation). */
  onBehalfOf: Assignee | null;
  request: ApprovalView;
  /** One-time decision links bound to `to`; null when links are off. */
  links: { approve: string; reject: string } | null;
}
/** Queues the notice (resolves void), or says why it was not sent: `{ skipped: reason }`. */
export type ApprovalNotifier = (
  notice: ApprovalNotice,
  tx: Db,
) => Promise<void | { skipped: string }>;
/** Told, in the request's transaction, that a level started with nobody who may decide it. */
export type NoEligibleApproverHandler = (
  request: ApprovalView,
  excluded: { userId: string; rule: SodRule }[],
  tx: Db,
) => Promise<void>;

export interface ApprovalsOptions {
  db: Db;
  now: () => Date;
  /** Tells this process's workers that a run may continue (after the commit). */
  wake: () => Promise<void>;
  audit?: AuditLog;
  notify?: ApprovalNotifier;
  /** A level with no eligible approver (an empty group, or everyone excluded by segregation of duties). */
  onNoEligibleApprover?: NoEligibleApproverHandler;
  /** Where decision links point, e.g. http://crossdock.example.com; no links without it. */
  linkBaseUrl?: () => string | null;
  linkTtlHours?: number;
}

export interface OpenRequest {
  stepKey: string;
  runId: string;
  workflowId: string;
  stepId: string;
  subject: Subject;
  summary: string;
  policy: unknown;
  requester: string | null;
  conflicts: string[];
  chain: ApprovalLevel[];
  /** May it be approved together with identical requests (the step's `bulk`, from its policy)? */
  bulk?: boolean;
}

export interface Decider {
  userId: string;
  email: string;
  /** How the audit log names them. */
  actor: string;
}

/**
 * Approval requests: opened by the `approval` step, decided by people (API, CLI, e-mailed
 * links), moved along by the step's timers (reminders, escalation, auto-decisions). Every
 * change, its history row and its audit entry commit in one transaction.
 */
export class ApprovalsService {
  readonly directory: ApproverDirectory;
  readonly links: ApprovalLinks;
  readonly #o: ApprovalsOptions;

  constructor(options: ApprovalsOptions) {
    this.#o = options;
    this.directory = new ApproverDirectory(options.db);
    this.links = new ApprovalLinks(options.db, options.linkTtlHours ?? 72);
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
      if (!inserted) return toView(await this.#row(tx, { stepKey: input.stepKey }));
      await this.#record(tx, inserted, {
        action: 'requested',
        actor: `workflow:${input.workflowId} run:${input.runId}`,
        via: 'system',
        details: { requester: input.requester },
      });
      await this.#startLevel(tx, inserted, 0, now, 'request');
      return toView(await this.#row(tx, { id: inserted.id }));
    });
  }

  /** Sends a due reminder, or acts on a passed deadline (escalate or auto-decide). The step calls it. */
  async tick(id: string): Promise<ApprovalView> {
    const now = this.#o.now();
    return this.#o.db.transaction().execute(async (tx) => {
      const r = await this.#row(tx, { id }, true);
      const timer = toView(r).nextTimerAt;
      if (r.status !== 'pending' || timer === null || new Date(timer) > now) return toView(r);
      if (r.level_due_at !== null && now >= new Date(r.level_due_at))
        await this.#breach(tx, r, now);
      else await this.#remind(tx, r, now);
      return toView(await this.#row(tx, { id }));
    });
  }

  /** A person's decision. Refusals (SoD, escalated away) are recorded in the history, then thrown. */
  async decide(
    id: string,
    who: Decider,
    decision: Decision,
    reason: string | null,
    via: DecisionVia,
    linkToken?: string,
  ): Promise<ApprovalView> {
    return this.#decideOne(
      id,
      who,
      decision,
      reason,
      via,
      linkToken === undefined ? {} : { linkToken },
    );
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
    const valid = ids.filter((id) => /^\d{1,18}$/.test(id));
    const rows =
      valid.length === 0
        ? []
        : (
            await sql<RequestRow>`SELECT * FROM approval_requests WHERE id = ANY(${valid}::bigint[])`.execute(
              this.#o.db,
            )
          ).rows;
    const problems = bulkProblems(ids, rows);
    if (problems.length > 0) throw bulkErrors.refused(problems, ids.length);
    const group = bulkGroupOf(rows.find((r) => String(r.id) === ids[0])!)!;
    const results: BulkOutcome[] = [];
    for (const id of ids) {
      try {
        results.push({
          id,
          outcome: 'approved',
          request: await this.#decideOne(id, who, 'approve', reason, via, {
            bulk: { of: ids.length, group },
          }),
        });
      } catch (error) {
        if (
          !(error instanceof CrossdockError) ||
          error.category === 'bug' ||
          error.category === 'transient'
        )
          throw error;
        results.push({
          id,
          outcome: 'refused',
          error: { code: error.code, message: error.message },
        });
      }
    }
    const approved = results.filter((r) => r.outcome === 'approved').length;
    return { results, approved, refused: results.length - approved };
  }

  async #decideOne(
    id: string,
    who: Decider,
    decision: Decision,
    reason: string | null,
    via: DecisionVia,
    o: { linkToken?: string; bulk?: BulkNote },
  ): Promise<ApprovalView> {
    if (decision === 'reject' && !reason?.trim()) throw approvalErrors.reasonRequired();
    const now = this.#o.now();
    const outcome = await this.#o.db.transaction().execute(async (tx) => {
      if (o.linkToken !== undefined) await this.links.consume(tx, o.linkToken, id, who.userId, now);
      const r = await this.#row(tx, { id }, true);
      // Checked under the row lock: what was approved is what was selected.
      if (o.bulk && r.status === 'pending' && bulkGroupOf(r) !== o.bulk.group)
        return { refusal: bulkErrors.changed(id, r.chain[r.level]!.name) };
      const refusal = await this.#check(tx, r, who, now);
      if (refusal instanceof Error) return { refusal };
      const seat = refusal.seat;
      const bulk = o.bulk ? { bulk: o.bulk } : {};
      await this.#record(tx, r, {
        action: decision === 'approve' ? 'approved' : 'rejected',
        actor: who.actor,
        userId: who.userId,
        onBehalfOf: seat === who.userId ? null : seat,
        via,
        reason,
        details: bulk,
      });
      if (decision === 'reject') await this.#close(tx, r, 'rejected', now, reason);
      else await this.#advanceIfComplete(tx, r, now);
      await this.#wakeRun(tx, r, now);
      await this.#o.audit?.append(
        {
          action: `approval.${decision}`,
          actor: who.actor,
          target: `approval:${id}`,
          details: {
            run: r.run_id,
            level: r.chain[r.level]!.name,
            onBehalfOf: seat === who.userId ? null : `user:${seat}`,
            via,
            reason,
            ...bulk,
          },
        },
        tx,
      );
      return { view: toView(await this.#row(tx, { id })) };
    });
    if ('refusal' in outcome) throw outcome.refusal;
    await this.#o.wake();
    return outcome.view;
  }

  /** Decides through an e-mailed link: the link names the request and the person. */
  async decideByLink(
    token: string,
    decision: Decision,
    reason: string | null,
  ): Promise<ApprovalView> {
    const link = await this.links.peek(token, this.#o.now());
    const who = await this.#decider(link.userId, 'link');
    return this.decide(link.requestId, who, decision, reason, 'link', token);
  }

  async show(id: string): Promise<ApprovalView & { runStatus: string; actions: ApprovalAction[] }> {
    const r = await this.#row(this.#o.db, { id });
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

  async #decider(userId: string, via: string): Promise<Decider> {
    const user = (
      await sql<{
        email: string;
      }>`SELECT email FROM users WHERE id = ${userId} AND disabled_at IS NULL`.execute(this.#o.db)
    ).rows[0];
    if (!user) throw approvalErrors.notAssigned('(link)');
    return { userId, email: user.email, actor: `user:${userId} ${user.email} (${via})` };
  }

  /** Whose seat the decider takes, or why they may not decide (recorded before it is thrown). */
  async #check(
    tx: Db,
    r: RequestRow,
    who: Decider,
    now: Date,
  ): Promise<{ seat: string } | CrossdockError> {
    if (r.status !== 'pending')
      return approvalErrors.alreadyDecided(
        String(r.id),
        r.status,
        r.decided_at && new Date(r.decided_at).toISOString(),
      );
    const runState = (await runStatus(tx, r.run_id))!; // approval_requests.run_id references runs
    if (ENDED_STATUSES.includes(runState)) return approvalErrors.runEnded(String(r.id), runState);
    const acting = await this.directory.actingFor(who.userId, now, tx);
    const seat = acting.find((id) => r.assignees.some((a) => a.userId === id));
    const refuse = async (
      error: CrossdockError,
      action: string,
      details: Record<string, unknown> = {},
    ) => {
      await this.#record(tx, r, {
        action,
        actor: who.actor,
        userId: who.userId,
        via: 'system',
        reason: error.message,
        details: { code: error.code, ...details },
      });
      return error;
    };
    if (seat === undefined) {
      const escalation = await this.#escalatedAwayFrom(tx, r, who.userId);
      if (escalation)
        return refuse(
          approvalErrors.escalated(
            String(r.id),
            escalation.at,
            r.assignees.map((a) => a.email).join(', ') || 'nobody',
          ),
          'late_decision_refused',
        );
      const rule = await this.#sodRule(tx, r, who.userId);
      if (rule)
        return refuse(sodError(rule, String(r.id), who.email), 'refused', {
          rule,
          user: who.userId,
        });
      return approvalErrors.notAssigned(String(r.id));
    }
    for (const person of new Set([who.userId, seat])) {
      const rule = await this.#sodRule(tx, r, person);
      if (rule)
        return refuse(
          sodError(rule, String(r.id), person === who.userId ? who.email : `user:${person}`),
          'refused',
          { rule, user: person },
        );
    }
    const voted =
      await sql`SELECT 1 FROM approval_actions WHERE request_id = ${r.id} AND level = ${r.level}
      AND action IN ('approved','rejected') AND (COALESCE(on_behalf_of, user_id) = ${seat} OR user_id = ${who.userId})`.execute(
        tx,
      );
    if (voted.rows.length > 0)
      return approvalErrors.alreadyVoted(String(r.id), r.chain[r.level]!.name);
    return { seat };
  }

  /** Segregation of duties for one person on this request, or null when they may decide. */
  async #sodRule(tx: Db, r: RequestRow, userId: string): Promise<SodRule | null> {
    const u = (
      await sql<{
        email: string;
        odoo_user_id: number | null;
      }>`SELECT u.email, p.odoo_user_id FROM users u
      LEFT JOIN approver_profiles p ON p.user_id = u.id WHERE u.id = ${userId}`.execute(tx)
    ).rows[0];
    if (!u) return null;
    const names = [
      u.email.toLowerCase(),
      ...(u.odoo_user_id !== null ? [`odoo:${u.odoo_user_id}`] : []),
    ];
    if (r.requester && names.includes(r.requester.toLowerCase())) return 'self';
    if (r.conflicts.some((c) => names.includes(c.toLowerCase()))) return 'conflict';
    const earlier =
      await sql`SELECT 1 FROM approval_actions WHERE request_id = ${r.id} AND level < ${r.level} AND action = 'approved'
      AND (user_id = ${userId} OR on_behalf_of = ${userId})`.execute(tx);
    return earlier.rows.length > 0 ? 'earlier_level' : null;
  }

  async #escalatedAwayFrom(tx: Db, r: RequestRow, userId: string): Promise<{ at: string } | null> {
    const row = (
      await sql<{
        at: Date;
      }>`SELECT at FROM approval_actions WHERE request_id = ${r.id} AND action = 'escalated'
      AND details->'from' @> ${JSON.stringify([userId])}::jsonb ORDER BY id DESC LIMIT 1`.execute(
        tx,
      )
    ).rows[0];
    return row ? { at: new Date(row.at).toISOString() } : null;
  }

  async #advanceIfComplete(tx: Db, r: RequestRow, now: Date): Promise<void> {
    const level = r.chain[r.level]!;
    const approvals = (
      await sql<{
        n: string;
      }>`SELECT count(DISTINCT COALESCE(on_behalf_of, user_id)) AS n FROM approval_actions
      WHERE request_id = ${r.id} AND level = ${r.level} AND action = 'approved'`.execute(tx)
    ).rows[0]!;
    if (Number(approvals.n) < needed(level, r.assignees.length)) return;
    if (r.level + 1 < r.chain.length) await this.#startLevel(tx, r, r.level + 1, now, 'request');
    else await this.#close(tx, r, 'approved', now, null);
  }

  async #startLevel(
    tx: Db,
    r: RequestRow,
    index: number,
    now: Date,
    kind: 'request' | 'escalated',
  ): Promise<void> {
    const level = r.chain[index]!;
    const candidates = await this.directory.resolve(level.approvers, [], tx);
    await this.#assign(tx, { ...r, level: index }, candidates, dueAfter(now, level), now, kind);
  }

  /** Makes these people the level's approvers (minus those SoD excludes) and tells them. */
  async #assign(
    tx: Db,
    r: RequestRow,
    candidates: Assignee[],
    due: Date | null,
    now: Date,
    kind: ApprovalNotice['kind'],
  ): Promise<void> {
    const eligible: Assignee[] = [];
    const excluded: { userId: string; rule: SodRule }[] = [];
    for (const c of candidates) {
      const rule = await this.#sodRule(tx, r, c.userId);
      rule ? excluded.push({ userId: c.userId, rule }) : eligible.push(c);
    }
    await sql`UPDATE approval_requests SET level = ${r.level}, assignees = ${JSON.stringify(eligible)}::jsonb, level_started_at = ${now},
      level_due_at = ${due}, level_reminded_at = NULL WHERE id = ${r.id}`.execute(tx);
    const level = r.chain[r.level]!;
    await this.#record(tx, r, {
      action: 'assigned',
      actor: 'system',
      via: 'system',
      details: {
        level: level.name,
        assignees: eligible.map((a) => a.email),
        excluded,
        dueAt: due?.toISOString() ?? null,
        required: level.required,
      },
    });
    if (eligible.length === 0) {
      await this.#record(tx, r, {
        action: 'no_eligible_approver',
        actor: 'system',
        via: 'system',
        reason: noEligibleReason(level.name, candidates.length),
        details: { level: level.name, excluded },
      });
      await this.#o.onNoEligibleApprover?.(
        toView(await this.#row(tx, { id: String(r.id) })),
        excluded,
        tx,
      );
    }
    await this.#notifyAll(tx, String(r.id), eligible, kind, now);
  }

  async #remind(tx: Db, r: RequestRow, now: Date): Promise<void> {
    await sql`UPDATE approval_requests SET level_reminded_at = ${now} WHERE id = ${r.id}`.execute(
      tx,
    );
    await this.#record(tx, r, {
      action: 'reminded',
      actor: 'system',
      via: 'system',
      details: { to: r.assignees.map((a) => a.email) },
    });
    await this.#notifyAll(tx, String(r.id), r.assignees, 'reminder', now);
  }

  /** The deadline passed: decide as the level says, or escalate. */
  async #breach(tx: Db, r: RequestRow, now: Date): Promise<void> {
    const level = r.chain[r.level]!;
    const reason = `SLA of ${level.sla_hours} h for level "${level.name}" passed at ${new Date(r.level_due_at!).toISOString()}`;
    if (level.on_breach !== 'escalate') {
      await this.#record(tx, r, {
        action: level.on_breach === 'approve' ? 'auto_approved' : 'auto_rejected',
        actor: 'system',
        via: 'system',
        reason,
      });
      // Decided by the system because the deadline passed: the SLA was breached all the same.
      await sql`UPDATE approval_requests SET breached = true WHERE id = ${r.id}`.execute(tx);
      await this.#close(
        tx,
        r,
        level.on_breach === 'approve' ? 'approved' : 'rejected',
        now,
        reason,
      );
      return;
    }
    const from = r.assignees.map((a) => a.userId);
    const target =
      level.escalate_to ?? (r.level + 1 < r.chain.length ? null : { manager: true as const });
    const bump = sql`UPDATE approval_requests SET escalations = escalations + 1, breached = true WHERE id = ${r.id}`;
    if (target === null) {
      await this.#record(tx, r, {
        action: 'escalated',
        actor: 'system',
        via: 'system',
        reason,
        details: { from, toLevel: r.chain[r.level + 1]!.name },
      });
      await bump.execute(tx);
      await this.#startLevel(tx, r, r.level + 1, now, 'escalated');
      return;
    }
    const to = await this.directory.resolve(target, r.assignees, tx);
    if (to.length === 0) {
      await this.#record(tx, r, {
        action: 'breached',
        actor: 'system',
        via: 'system',
        reason: `${reason}; no one to escalate to, still waiting`,
        details: { from },
      });
      await sql`UPDATE approval_requests SET breached = true, level_due_at = NULL WHERE id = ${r.id}`.execute(
        tx,
      );
      return;
    }
    await this.#record(tx, r, {
      action: 'escalated',
      actor: 'system',
      via: 'system',
      reason,
      details: { from, to: to.map((a) => a.email) },
    });
    await bump.execute(tx);
    await this.#assign(
      tx,
      { ...r, escalations: r.escalations + 1 },
      to,
      dueAfter(now, level),
      now,
      'escalated',
    );
  }

  async #close(
    tx: Db,
    r: RequestRow,
    status: 'approved' | 'rejected',
    now: Date,
    reason: string | null,
  ): Promise<void> {
    await sql`UPDATE approval_requests SET status = ${status}, decided_at = ${now}, decision_reason = ${reason} WHERE id = ${r.id}`.execute(
      tx,
    );
  }

  /** A decision changes what the step must do (continue, show the next level, new timers): make the run due. */
  async #wakeRun(tx: Db, r: RequestRow, now: Date): Promise<void> {
    await wakeRun(tx, r.run_id, now);
  }

  async #notifyAll(
    tx: Db,
    id: string,
    to: Assignee[],
    kind: ApprovalNotice['kind'],
    now: Date,
  ): Promise<void> {
    const notify = this.#o.notify;
    if (!notify || to.length === 0) return;
    const r = await this.#row(tx, { id });
    const view = toView(r);
    const delegates = await this.directory.delegatesOf(
      to.map((a) => a.userId),
      now,
      tx,
    );
    const base = this.#o.linkBaseUrl?.() ?? null;
    const skipped = new Map<string, string>();
    for (const assignee of to) {
      const recipient = delegates.get(assignee.userId) ?? assignee;
      const expires = r.level_due_at === null ? null : new Date(r.level_due_at);
      const links =
        base === null
          ? null
          : await this.links.create(tx, {
              requestId: id,
              level: r.level,
              userId: recipient.userId,
              base,
              now,
              expires,
            });
      const key = `approval:${id}:level:${r.level}:${kind}:${r.escalations}:user:${recipient.userId}`;
      const outcome = await notify(
        {
          key,
          kind,
          to: recipient,
          onBehalfOf: recipient === assignee ? null : assignee,
          request: view,
          links,
        },
        tx,
      );
      if (outcome) skipped.set(assignee.userId, `${recipient.email}: ${outcome.skipped}`);
    }
    if (skipped.size > 0) await this.#notNotified(tx, r, kind, skipped);
  }

  /** Notices that were not sent: marked on the assignees (the request shows it) and in the history. */
  async #notNotified(
    tx: Db,
    r: RequestRow,
    kind: ApprovalNotice['kind'],
    skipped: Map<string, string>,
  ): Promise<void> {
    const current = await this.#row(tx, { id: String(r.id) });
    const assignees = current.assignees.map((a) =>
      skipped.has(a.userId) ? { ...a, unnotified: skipped.get(a.userId)! } : a,
    );
    await sql`UPDATE approval_requests SET assignees = ${JSON.stringify(assignees)}::jsonb WHERE id = ${r.id}`.execute(
      tx,
    );
    await this.#record(tx, current, {
      action: 'not_notified',
      actor: 'system',
      via: 'system',
      reason: [...skipped.values()].join('; '),
      details: { kind, to: [...skipped.keys()] },
    });
  }

  async #record(
    tx: Db,
    r: RequestRow,
    a: {
      action: string;
      actor: string;
      userId?: string;
      onBehalfOf?: string | null;
      via: string;
      reason?: string | null;
      details?: Record<string, unknown>;
    },
  ): Promise<void> {
    await sql`INSERT INTO approval_actions (request_id, at, level, action, actor, user_id, on_behalf_of, via, reason, details)
      VALUES (${r.id}, ${this.#o.now()}, ${r.level}, ${a.action}, ${a.actor}, ${a.userId ?? null}, ${a.onBehalfOf ?? null}, ${a.via}, ${a.reason ?? null}, ${JSON.stringify(a.details ?? {})}::jsonb)`.execute(
      tx,
    );
  }

  async #row(db: Db, by: { id?: string; stepKey?: string }, lock = false): Promise<RequestRow> {
    if (by.id !== undefined && !/^\d{1,18}$/.test(by.id)) throw approvalErrors.notFound(by.id);
    const row = (
      await sql<RequestRow>`SELECT * FROM approval_requests WHERE ${by.id !== undefined ? sql`id = ${by.id}` : sql`step_key = ${by.stepKey}`}
      ${lock ? sql`FOR UPDATE` : sql``}`.execute(db)
    ).rows[0];
    if (!row) throw approvalErrors.notFound(by.id ?? by.stepKey!);
    return row;
  }
}
