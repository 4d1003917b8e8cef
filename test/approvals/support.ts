import {
  ApprovalsService,
  approvalStep,
  type ApprovalNotice,
  type ApprovalsOptions,
  type Decider,
} from '../../src/approvals/index.ts';
import { AuditLog } from '../../src/audit/index.ts';
import { TotpFactors, Users } from '../../src/auth/index.ts';
import { engineStepTypes, ManualClock, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { startTestApi, testKeyring, type TestApi } from '../api/support.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import type { Keyring } from '../../src/secrets/index.ts';
import type { Logger } from '../../src/observability/logger.ts';

/** The order-release approval chains the tests use: one workflow, the chain picked by the event. */
/** A bank-account change approved by one level that needs a second factor (step-up). */
export const STEP_UP_WORKFLOW = `
id: bank-change
trigger: { event: vendor.bank_changed }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: res.partner.bank, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'New bank account for ' & event.payload.name"
      levels:
        - { name: treasury, approvers: { group: credit-control }, sla_hours: 8, step_up: true }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

export const RELEASE = `
id: release
trigger: { event: order.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Order ' & event.payload.name & ' for ' & $string(event.payload.amount) & ' EUR needs approval'"
      requester: "= event.payload.requester"
      conflicts: "= event.payload.conflicts"
      policy: "= event.payload.policy"
      bulk: "= event.payload.bulk = true"
      chain: "= event.payload.tier"
      chains:
        manager:
          - { name: manager, approvers: { group: sales-manager }, sla_hours: 4, remind_before_hours: 1 }
        finance+director:
          - { name: finance, approvers: { group: finance }, sla_hours: 8 }
          - { name: director, approvers: { group: director }, sla_hours: 24 }
        board:
          - { name: board, approvers: { group: board }, required: 2, sla_hours: 24 }
        skip-level:
          - { name: manager, approvers: { group: sales-manager }, sla_hours: 4 }
          - { name: director, approvers: { group: director }, sla_hours: 24 }
        named:
          - { name: buyer, approvers: { users: [lead@acme.test] }, sla_hours: 2, escalate_to: { group: director } }
        reject-late:
          - { name: manager, approvers: { group: sales-manager }, sla_hours: 4, on_breach: reject }
        write-off:
          - { name: controller, approvers: { group: finance }, sla_hours: 8, step_up: true }
          - { name: director, approvers: { group: director }, sla_hours: 24, step_up: true }
      on_reject: refused
  - id: released
    type: transform
    with: { released: true, request: "= steps.approve.output.requestId" }
    end: true
  - id: refused
    type: transform
    with: { released: false, reason: "= steps.approve.output.reason" }
`;

export interface Harness {
  t: TestStore;
  engine: Engine;
  clock: ManualClock;
  approvals: ApprovalsService;
  notices: ApprovalNotice[];
  audit: AuditLog;
  /** The authenticators step-up levels check, sealed with `keyring`. */
  totp: TotpFactors;
  keyring: Keyring;
  /** user email -> a Decider for it */
  people: Record<string, Decider>;
  close(): Promise<void>;
}

/** People of the Acme test company, their groups and managers. */
const PEOPLE: { email: string; groups: string[]; manager?: string; odooUserId?: number }[] = [
  {
    email: 'maria@acme.test',
    groups: ['sales-manager', 'finance'],
    manager: 'dora@acme.test',
    odooUserId: 7,
  },
  { email: 'sam@acme.test', groups: ['sales-manager'], manager: 'dora@acme.test' },
  { email: 'fiona@acme.test', groups: ['finance'] },
  { email: 'dora@acme.test', groups: ['director'] },
  { email: 'dan@acme.test', groups: [] },
  { email: 'lead@acme.test', groups: [] },
  { email: 'b1@acme.test', groups: ['board'] },
  { email: 'b2@acme.test', groups: ['board'] },
  { email: 'b3@acme.test', groups: ['board'] },
];

export async function harness(options: { links?: boolean } = {}): Promise<Harness> {
  const t = await openTestStore();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const now = () => clock.now();
  const db = t.store.db as never;
  const audit = new AuditLog(db, now);
  const notices: ApprovalNotice[] = [];
  const keyring = testKeyring();
  const totp = new TotpFactors(db, keyring, now);
  const approvals = new ApprovalsService({
    db,
    now,
    audit,
    secondFactor: totp,
    wake: () => t.store.wake(),
    notify: async (notice) => void notices.push(notice),
    linkBaseUrl: () => (options.links === false ? null : 'http://127.0.0.1:3000'),
  });
  const users = new Users(db, now);
  const people: Record<string, Decider> = {};
  for (const p of PEOPLE) {
    const user = await users.create({ email: p.email, role: 'approver' });
    people[p.email] = { userId: user.id, email: p.email, actor: `user:${user.id} ${p.email}` };
  }
  for (const p of PEOPLE) {
    await approvals.directory.setProfile(
      people[p.email]!.userId,
      {
        groups: p.groups,
        managerId: p.manager ? people[p.manager]!.userId : null,
        odooUserId: p.odooUserId ?? null,
      },
      now(),
    );
  }
  const steps = new StepRegistry([...engineStepTypes(), approvalStep(approvals)]);
  const engine = await engineWith(t.store, [RELEASE], { clock, steps });
  engine.startWorkers(1);
  return {
    t,
    engine,
    clock,
    approvals,
    notices,
    audit,
    totp,
    keyring,
    people,
    async close() {
      await engine.stopWorkers();
      await t.dispose();
    },
  };
}

let orderSeq = 0;

/** Confirms an order needing approval; resolves once its run waits, with the run and request ids. */
export async function review(
  h: Harness,
  payload: {
    tier: string;
    amount?: number;
    requester?: string;
    conflicts?: string[];
    bulk?: boolean;
    policy?: unknown;
  },
) {
  const id = ++orderSeq;
  const { runIds } = await h.engine.accept({
    source: 'odoo',
    type: 'order.review',
    key: `so-${id}-${Math.random()}`,
    payload: {
      id,
      name: `S${String(id).padStart(5, '0')}`,
      amount: payload.amount ?? 25_000,
      policy: { tier: payload.tier, rule: 3 },
      ...payload,
    },
  });
  const runId = runIds[0]!;
  const parked = await waitForRun(h.engine, runId, ['waiting', 'failed', 'completed']);
  if (parked.status !== 'waiting')
    throw new Error(`run ${runId} did not wait: ${JSON.stringify(parked.error)}`);
  const [request] = (await h.approvals.list({ status: 'pending' })).approvals.filter(
    (a) => a.runId === runId,
  );
  return { runId, requestId: request!.id };
}

/** Moves the clock and lets the run look at its timers; resolves when it has parked again or ended. */
export async function jump(h: Harness, runId: string, ms: number): Promise<void> {
  h.clock.advance(ms);
  const settled = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`run ${runId} did not look at its timers within 15 s`)),
      15_000,
    );
    const offs = (['run:waiting', 'run:completed', 'run:failed'] as const).map((name) =>
      h.engine.events.on(name, (p: { runId: string }) => p.runId === runId && finish(null)),
    );
    function finish(error: Error | null) {
      clearTimeout(timer);
      offs.forEach((off) => off());
      error ? reject(error) : resolve();
    }
  });
  h.engine.wake();
  await settled;
}

export const HOUR = 3_600_000;

export interface ApprovalsApi {
  h: TestApi;
  admin: string;
  /** A token of an approver in the credit-control group. */
  approver: string;
  viewer: string;
}

/**
 * The HTTP API over an engine whose `approval` step has its own ApprovalsService (`extra`
 * adds a notifier, a link base ...). The step exists before the store does, so the service
 * is bound once the store is open. Tokens of an admin, a viewer and an approver in
 * credit-control; the workers run.
 */
export async function approvalsApi(
  workflow: string,
  clock: ManualClock,
  extra: (h: TestApi) => Partial<ApprovalsOptions> = () => ({}),
  api: { logger?: Logger } = {},
): Promise<ApprovalsApi> {
  let approvals: ApprovalsService | null = null;
  const steps = new StepRegistry([
    ...engineStepTypes(),
    approvalStep(
      new Proxy({} as ApprovalsService, { get: (_, k) => (approvals as any)[k].bind(approvals) }),
    ),
  ]);
  const h = await startTestApi({ workflows: [workflow], engine: { clock, steps }, ...api });
  const db = h.t.store.db as never;
  const now = () => clock.now();
  approvals = new ApprovalsService({
    db,
    now,
    audit: new AuditLog(db, now),
    wake: () => h.t.store.wake(),
    ...extra(h),
  });
  h.engine.startWorkers(1);
  const admin = await h.tokenFor('admin');
  const approver = await h.tokenFor('approver');
  const viewer = await h.tokenFor('viewer');
  const me = await h.request('GET', '/api/v1/auth/me', { token: approver });
  const set = await h.request('PATCH', `/api/v1/approvers/${me.body.userId}`, {
    token: admin,
    body: { groups: ['credit-control'] },
  });
  if (set.status !== 200)
    throw new Error(`the approver's profile was not set: ${JSON.stringify(set.body)}`);
  return { h, admin, approver, viewer };
}
