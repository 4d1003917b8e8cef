import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import type { ExceptionsService } from '../exceptions/index.ts';
import { eventsByKey, keysWithRuns, runsHeldOnCase, type Database } from '../store/index.ts';
import { dynamic, type StepContext, type StepType } from '../workflows/index.ts';
import {
  classify,
  dispatchKey,
  FINDING_TYPES,
  FindingType,
  ordersOf,
  releaseKey,
  SweepCandidates,
  type Finding,
} from './reconcile-findings.ts';

/** The ledger of findings: one event per finding, keyed by it, so each is acted on once. */
export const FINDING_EVENT = { source: 'crossdock', type: 'reconcile.finding' } as const;

const iso = dynamic(z.iso.datetime({ offset: true }));
/** The window, and what the workflow's Odoo steps found in it (see SweepCandidates). */
export const ReconcileSweepConfig = z.strictObject({
  since: iso,
  until: iso,
  // Each list is checked when the step runs (SweepCandidates): it is what Odoo answered.
  ...(Object.fromEntries(
    Object.keys(SweepCandidates.shape).map((name) => [name, z.unknown()]),
  ) as Record<keyof typeof SweepCandidates.shape, z.ZodUnknown>),
});
export type ReconcileSweepConfig = z.infer<typeof ReconcileSweepConfig>;

/** One row of the sweep's report. */
export interface SweepFinding {
  type: FindingType;
  model: string;
  id: number;
  name: string;
  detail: string;
  /** new: found and acted on by this sweep; known: found by an earlier sweep, not acted on again. */
  status: 'new' | 'known';
  action: string;
  caseId: string | null;
  runIds: string[];
}

/** The case a finding opens, when it opens one. */
const CASES: Partial<Record<FindingType, { team: string; code: string; slaHours: number }>> = {
  [FindingType.unreleasedOrder]: { team: 'sales', code: 'RECONCILE_UNRELEASED', slaHours: 4 },
  [FindingType.deliveryNotDispatched]: {
    team: 'dispatch',
    code: 'RECONCILE_NOT_DISPATCHED',
    slaHours: 8,
  },
  [FindingType.receiptOverdue]: {
    team: 'purchasing',
    code: 'RECONCILE_RECEIPT_OVERDUE',
    slaHours: 24,
  },
  [FindingType.deliveryNotInvoiced]: {
    team: 'finance',
    code: 'RECONCILE_NOT_INVOICED',
    slaHours: 24,
  },
};

const TITLES: Record<FindingType, string> = {
  'unreleased-order': 'confirmed in Odoo, never released by Crossdock',
  'held-order-ready': 'held for stock although its delivery is Ready',
  'delivery-not-dispatched': 'done in Odoo without being dispatched',
  'receipt-overdue': 'past its planned date with nothing received',
  'delivery-not-invoiced': 'delivered and not invoiced',
};

/**
 * `reconcile.sweep`: compares what Odoo shows (the candidates, read by the workflow's Odoo
 * steps) with what Crossdock did (runs, cases), and acts on each fall-through once:
 * unreleased orders get their release request (the confirmation gate's own key), held orders
 * whose delivery is Ready are told to check again, the rest open a case for the team that owns
 * them. Each finding is recorded as a `reconcile.finding` event keyed by the finding; a finding
 * whose event exists is reported as known and not acted on again. Repeats are harmless: a
 * finding is acted on before it is recorded, and every action is idempotent (the release
 * request by its event key, the case by its open key, a second "check again" re-checks).
 */
export function reconcileSweepStep(
  deps: { db: Kysely<Database>; exceptions: ExceptionsService } | null,
): StepType<ReconcileSweepConfig> {
  return {
    type: 'reconcile.sweep',
    description:
      'Finds Odoo records the packs should have acted on and did not; restarts the workflow or opens a case, once per finding',
    config: ReconcileSweepConfig as z.ZodType<ReconcileSweepConfig>,
    sideEffect: true,
    ownIdempotency: 'each finding is recorded under its own event key and acted on once',
    async execute(ctx, config) {
      if (!deps)
        throw new CrossdockError(
          'EXCEPTIONS_UNAVAILABLE',
          'reconcile.sweep steps run only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const { since, until, ...lists } = config;
      const parsed = SweepCandidates.safeParse(lists);
      if (!parsed.success)
        throw new CrossdockError(
          'STEP_CONFIG_INVALID',
          'The records given to the sweep are not what Odoo reads',
          {
            category: 'user',
            retryable: false,
            details: parsed.error.issues.map((i) => ({
              path: i.path.join('.'),
              message: i.message,
            })),
          },
        );
      const candidates = parsed.data;
      const findings = classify(candidates, await crossdockSide(deps.db, candidates));
      const known = await eventsByKey(
        deps.db,
        FINDING_EVENT.source,
        FINDING_EVENT.type,
        findings.map((f) => f.key),
      );
      const report: SweepFinding[] = [];
      for (const f of findings) {
        const recorded = known.get(f.key);
        if (recorded) {
          report.push(knownFinding(f, recorded));
          continue;
        }
        const acted = await act(ctx, deps.exceptions, f);
        if (!acted) continue; // gone meanwhile (a held run that moved on): nothing found
        await ctx.emitEvent({
          ...FINDING_EVENT,
          key: f.key,
          payload: {
            finding: f.type,
            model: f.model,
            id: f.id,
            name: f.name,
            detail: f.detail,
            action: acted.action,
            caseId: acted.caseId,
            runIds: acted.runIds,
            foundBy: ctx.runId,
          },
        });
        report.push({ ...rowOf(f), status: 'new', ...acted });
      }
      return { kind: 'done', output: summary(String(since), String(until), report) };
    },
    describe: (c) =>
      `would reconcile Odoo with Crossdock from ${String(c.since)} to ${String(c.until)}`,
  };
}

async function crossdockSide(db: Kysely<Database>, c: SweepCandidates) {
  const orders = ordersOf(c);
  const releaseKeys = [...new Set(orders.release.map(releaseKey))];
  const [release, dispatch, held] = await Promise.all([
    keysWithRuns(db, 'order-release', releaseKeys),
    keysWithRuns(db, 'dispatch', [...new Set(orders.dispatch.map(dispatchKey))]),
    runsHeldOnCase(db, 'order-release', 'STOCK_HOLD', releaseKeys),
  ]);
  return {
    releaseKeys: release,
    dispatchKeys: dispatch,
    heldByKey: new Map(held.map((h) => [h.concurrencyKey, { runId: h.runId, caseId: h.caseId }])),
  };
}

type Acted = { action: string; caseId: string | null; runIds: string[] };

async function act(
  ctx: StepContext,
  exceptions: ExceptionsService,
  f: Finding,
): Promise<Acted | null> {
  if (f.type === FindingType.unreleasedOrder) {
    // The confirmation gate's key: if the gate's request exists, it started no release (the
    // workflow was not loaded then), so a person looks at it instead.
    const request = await ctx.emitEvent({
      source: 'crossdock',
      type: 'sale.order.release-requested',
      key: `release:${f.id}:${f.dateOrder ?? ''}`,
      payload: { id: f.id, name: f.name, date_order: f.dateOrder ?? null, via: 'reconcile' },
    });
    if (!request.duplicate && request.runIds.length > 0)
      return { action: 'release requested', caseId: null, runIds: request.runIds };
  }
  if (f.type === FindingType.heldOrderReady) {
    const runIds = await ctx.signalRuns('order-release', releaseKey(f.orderId!), 'case.action', {
      action: 'check_again',
      by: `reconciliation: delivery ${f.name} is Ready in Odoo`,
    });
    return runIds.length > 0 ? { action: 'checked again', caseId: null, runIds } : null;
  }
  return openCase(ctx, exceptions, f);
}

async function openCase(
  ctx: StepContext,
  exceptions: ExceptionsService,
  f: Finding,
): Promise<Acted> {
  const spec = CASES[f.type]!;
  const opened = await exceptions.openCase(
    {
      type: 'check',
      severity: 'medium',
      title: `${f.name} ${TITLES[f.type]}`,
      subject: { model: f.model, id: f.id, name: f.name },
      owner: { team: spec.team },
      slaHours: spec.slaHours,
      code: spec.code,
      details: {
        finding: f.type,
        detail: f.detail,
        odoo: { model: f.model, id: f.id, name: f.name },
      },
      key: f.key,
      runId: ctx.runId,
      workflowId: ctx.workflowId,
      stepId: ctx.stepId,
    },
    { actor: `workflow:${ctx.workflowId} run:${ctx.runId}` },
    'check',
  );
  return { action: `case opened (${spec.team})`, caseId: opened.case.id, runIds: [] };
}

const rowOf = (f: Finding) => ({
  type: f.type,
  model: f.model,
  id: f.id,
  name: f.name,
  detail: f.detail,
});

function knownFinding(f: Finding, recorded: Record<string, unknown>): SweepFinding {
  const runIds = Array.isArray(recorded.runIds) ? recorded.runIds.map(String) : [];
  return {
    ...rowOf(f),
    status: 'known',
    action: typeof recorded.action === 'string' ? recorded.action : 'acted on before',
    caseId: typeof recorded.caseId === 'string' ? recorded.caseId : null,
    runIds,
  };
}

function summary(since: string, until: string, findings: SweepFinding[]) {
  const byType = Object.fromEntries(
    FINDING_TYPES.map((t) => [
      t,
      {
        new: findings.filter((f) => f.type === t && f.status === 'new').length,
        known: findings.filter((f) => f.type === t && f.status === 'known').length,
      },
    ]),
  );
  return {
    since,
    until,
    new: findings.filter((f) => f.status === 'new').length,
    known: findings.filter((f) => f.status === 'known').length,
    byType,
    findings,
  };
}
