import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { buildApi, type ApiServices } from '../../src/api/index.ts';
import { servicesFor } from '../support/api-services.ts';
import { ApprovalsService, approvalStep } from '../../src/approvals/index.ts';
import { AuditLog } from '../../src/audit/index.ts';
import { TotpFactors, type Role } from '../../src/auth/index.ts';
import {
  raiseExceptionStep,
  resolveCaseStep,
  type ExceptionsService,
} from '../../src/exceptions/index.ts';
import { engineStepTypes, StepRegistry, systemClock, type Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { testKeyring } from '../api/support.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { buildDashboard } from '../../scripts/dashboard-build.mjs';

export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
/**
 * The README's pictures are retaken only when asked (`npm run screenshots`), so that a test
 * run leaves the working tree as it found it; every screen is checked either way.
 */
export const TAKE_SCREENSHOTS = process.env.CROSSDOCK_SCREENSHOTS === '1';
export const PASSWORD = 'a long enough password';

/** A credit check that needs one approval from the credit-control group. */
export const CREDIT = `
id: credit-release
description: Orders over the credit limit wait for credit control
trigger: { event: credit.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Credit limit exceeded on ' & event.payload.name"
      requester: "= event.payload.requester"
      policy: { policy: credit-limit, version: 3, tier: manager, rule: 4, exposure: "= event.payload.amount" }
      levels:
        - { name: credit, approvers: { group: credit-control }, sla_hours: 4 }
      on_reject: hold
  - id: release
    type: transform
    with: { released: true, decision: "= steps.approve.output.decision" }
    end: true
  - id: hold
    type: transform
    with: { released: false }
`;

/** Books a shipment; a shipment without a positive weight fails at "route" (no case matches). */
export const SHIP = `
id: ship-order
description: Choose a carrier by weight and book the shipment
trigger: { event: shipment.ready }
steps:
  - id: classify
    type: transform
    with: { ref: "= input.ref", weightKg: "= input.weightKg" }
  - id: route
    type: switch
    with:
      cases:
        - { when: "input.weightKg > 30", next: freight }
        - { when: "input.weightKg > 0", next: parcel }
  - id: parcel
    type: transform
    with: { carrier: parcel-co, ref: "= input.ref" }
    next: confirm
  - id: freight
    type: transform
    with: { carrier: freight-co, ref: "= input.ref" }
    next: confirm
  - id: confirm
    type: log
    with: { message: "= 'booked ' & input.ref" }
    end: true
`;

export interface Instance {
  t: TestStore;
  engine: Engine;
  services: ApiServices;
  api: FastifyInstance;
  base: string;
  /** Email of the user created for each role. */
  users: Record<Role, string>;
  send(type: string, key: string, payload: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/**
 * The built dashboard the tests serve and leave in place: the one scripts/run-tests.mjs built
 * for the whole run (CROSSDOCK_TEST_DASHBOARD), or for a file run on its own, one built now,
 * removed when the process exits.
 */
export async function builtDashboard(): Promise<string> {
  const shared = process.env.CROSSDOCK_TEST_DASHBOARD;
  if (shared) return shared;
  const outDir = mkdtempSync(join(tmpdir(), 'crossdock-dashboard-'));
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  return buildDashboard({ outDir, quiet: true });
}

/** Holds an order for credit control; the case offers check again and cancel, and the run closes it when acted on. */
export const HOLD = `
id: order-hold
description: Holds an order until its case is acted on
trigger: { event: order.held }
steps:
  - id: hold
    type: raise_exception
    with:
      type: check
      title: "= 'Order ' & input.name & ' held: customer blocked'"
      code: CUSTOMER_BLOCKED
      actions: [check_again, cancel]
  - id: wait
    type: wait
    with: { signal: case.action }
  - id: close
    type: exceptions.resolve
    with: { case_id: "= steps.hold.output.caseId", reason_code: handled_manually, note: "= 'acted on: ' & steps.wait.output.payload.action" }
`;

/** A Crossdock on the embedded store with the dashboard, users of every role, and its workflows. */
export async function startInstance(dashboardDir: string): Promise<Instance> {
  const t = await openTestStore();
  const logger = silentLogger();
  const db = t.store.db as never;
  const now = () => systemClock.now();
  const keyring = testKeyring();
  const totp = new TotpFactors(db, keyring, now);
  const approvals = new ApprovalsService({
    db,
    now,
    audit: new AuditLog(db, now),
    wake: () => t.store.wake(),
    secondFactor: totp,
  });
  // The case steps use the API's own exceptions service, made with the API below: late-bound.
  const cases = {
    openCase: (...args: Parameters<ExceptionsService['openCase']>) =>
      services.exceptions.openCase(...args),
    resolve: (...args: Parameters<ExceptionsService['resolve']>) =>
      services.exceptions.resolve(...args),
  } as unknown as ExceptionsService;
  const steps = new StepRegistry([
    ...engineStepTypes(),
    approvalStep(approvals),
    raiseExceptionStep(cases),
    resolveCaseStep(cases),
  ]);
  const engine = await engineWith(t.store, [CREDIT, SHIP, HOLD], { steps, logger });
  const services = servicesFor(engine, { keyring, approvals, totp });
  const api = await buildApi({
    services,
    logger,
    maxBodyBytes: 64 * 1024,
    rateLimit: { perMinute: 100_000, loginPerMinute: 1000 },
    dashboardDir,
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const users = {} as Record<Role, string>;
  for (const role of ['admin', 'operator', 'approver', 'viewer', 'auditor'] as const) {
    const email = `${role}@acme.test`;
    const user = await services.users.create({ email, role, password: PASSWORD });
    if (role === 'approver')
      await approvals.directory.setProfile(
        user.id,
        { groups: ['credit-control'], managerId: null, odooUserId: null },
        now(),
      );
    users[role] = email;
  }
  engine.startWorkers(1);
  return {
    t,
    engine,
    services,
    api,
    base,
    users,
    async send(type, key, payload) {
      const { runIds } = await engine.accept({ source: 'odoo', type, key, payload });
      await waitForRun(engine, runIds[0]!, ['waiting', 'completed', 'failed']);
      return runIds[0]!;
    },
    async close() {
      await api.close();
      services.metrics.close();
      await engine.stopWorkers();
      await t.dispose();
    },
  };
}

/**
 * Loads these workflow texts as the instance's workflows (each new content a new stored
 * version, the rest no longer current), as a restart with changed files would.
 */
export async function loadWorkflows(x: Instance, texts: string[]): Promise<void> {
  const loaded = texts.flatMap((text, i) => {
    const result = parseWorkflow(text, `loaded-${i}.yaml`, x.engine.steps);
    if (!result.ok) throw new Error(`workflow ${i} is invalid: ${JSON.stringify(result.problems)}`);
    return result.workflows;
  });
  await x.engine.installWorkflows(loaded);
}

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless; never a downloaded browser. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser suite needs Debian's Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** A fresh browser context (its own cookies) signed in through the login form. */
export async function signIn(
  browser: Browser,
  base: string,
  email: string,
  password = PASSWORD,
  options: { clock?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    baseURL: base,
  });
  // The page's own timers on a clock the test can move ahead (`page.clock.fastForward`): it
  // runs with real time until moved.
  if (options.clock) await context.clock.install();
  const page = await context.newPage();
  await page.goto('/app/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  return { context, page };
}

/**
 * A list table once it shows the answer to what the screen asks now: while a newer answer
 * loads, the last one stays on screen marked busy (`aria-busy`), and reading it then would
 * read the earlier answer.
 */
export function answeredTable(page: Page, name: string): Locator {
  return page.getByRole('table', { name }).and(page.locator('[aria-busy="false"]'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Makes a user of each role (`<role>@acme.test`, PASSWORD) and returns an API token of the
 * viewer's, for a test that reads the API as the screens do.
 */
export async function usersAndViewerToken(
  services: Pick<ApiServices, 'users' | 'tokens'>,
  roles: readonly Role[],
): Promise<string> {
  for (const role of roles)
    await services.users.create({ email: `${role}@acme.test`, role, password: PASSWORD });
  const viewer = (await services.users.findByEmail('viewer@acme.test'))!;
  return (await services.tokens.create({ id: viewer.id, role: 'viewer' }, { name: 'read' }, null))
    .token;
}
