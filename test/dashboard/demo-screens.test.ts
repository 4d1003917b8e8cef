import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { accessibilityProblems } from './axe.ts';
import { createOutput } from '../../src/cli/output.ts';
import { ApproverBot, TrackingPlayer } from '../../src/demo/actors.ts';
import { settled } from '../../src/demo/report.ts';
import { OPS_LEAD, startDemoSystem, type DemoSystem } from '../../src/demo/system.ts';
import { OrderKind, OrderTraffic } from '../../src/demo/traffic.ts';
import { silentLogger } from '../../src/observability/index.ts';
import {
  answeredTable,
  builtDashboard,
  launchBrowser,
  removeDir,
  SCREENSHOTS,
  signIn,
  TAKE_SCREENSHOTS,
} from './support.ts';

const CARRIERS = ['swiftpost', 'euroline', 'cargoplus', 'parcelnow'];

/**
 * Every screen of the dashboard on the demo's data (the packs on the Odoo and carrier
 * simulators, approvers and carriers answering), in Debian's Chromium: what each screen
 * shows agrees with the store, axe-core finds no serious accessibility problem, and each
 * screen is photographed into docs/screenshots/ for the README when CROSSDOCK_SCREENSHOTS=1
 * (`npm run screenshots`).
 */
describe('the dashboard on the demo data', () => {
  let dist: string;
  let dir: string;
  let system: DemoSystem;
  let browser: Browser;
  let page: Page;
  let closeContext: () => Promise<void>;

  const db = () => system.crossdock.store.db as never;
  const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
    Number((await query.execute(db())).rows[0]!.n);

  /** Looks again every 250 ms (and after a tracking round) until `done` holds twice in a row. */
  async function until(
    what: string,
    done: () => Promise<boolean>,
    player: TrackingPlayer,
    timeoutMs = 180_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < deadline) {
      await player.flush();
      quiet = (await done()) ? quiet + 1 : 0;
      if (quiet >= 2) return;
      await new Promise((r) => setTimeout(r, 250)); // polling a condition, bounded by the deadline
    }
    throw new Error(`the demo did not reach "${what}" within ${timeoutMs} ms`);
  }

  async function look(name: string): Promise<void> {
    assert.deepEqual(
      await accessibilityProblems(page),
      [],
      `accessibility problems on the ${name} screen`,
    );
    if (TAKE_SCREENSHOTS)
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  before(async () => {
    dist = await builtDashboard();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-demo-screens-'));
    const logger = silentLogger();
    system = await startDemoSystem({
      dir: join(dir, 'demo'),
      port: 0,
      logger,
      out: createOutput(false),
      randomCarrierFailures: false,
      seed: 42,
      dashboardDir: dist,
    });
    const { odoo, carriers, crossdock } = system;
    const bot = new ApproverBot({
      approvals: crossdock.services.approvals,
      people: system.people,
      rejectShare: 0.15,
      thinkMs: [20, 120],
      pollMs: 100,
      logger,
    });
    const player = new TrackingPlayer({
      carriers,
      delayedShare: 0.15,
      damagedShare: 0.05,
      duplicateShare: 0.1,
      stepMs: 100,
      logger,
      ready: (ref) =>
        odoo.db.searchRead('stock.picking', [['carrier_tracking_ref', '=', ref]], ['id']).length >
        0,
    });
    const traffic = new OrderTraffic(odoo, system.catalog, 42);
    bot.start();
    player.start();
    try {
      const placed = () => traffic.placed.map((order) => order.id);
      // A morning of orders, decided by the approvers and shipped.
      for (let i = 0; i < 30; i++) {
        if (i === 9)
          carriers.faults.failNext('swiftpost', 3, { kind: 'server-error', status: 503 }, 'book');
        await traffic.placeOne();
      }
      await until('30 orders settled', () => settled(db(), placed()), player);
      // Every carrier refuses for a while: those deliveries fail into the exception queue.
      for (const code of CARRIERS)
        carriers.faults.failAlways(code, { kind: 'reject', reason: 'depot closed' }, 'book');
      for (let i = 0; i < 3; i++) await traffic.placeOne();
      await until('33 orders settled', () => settled(db(), placed()), player);
      carriers.faults.clear();
      // The approvers have gone home: the next orders that need one wait in the inbox.
      bot.stop();
      for (let i = 0; i < 45; i++) await traffic.placeOne();
      // Their deliveries are invoiced before the large orders come: a customer's credit check
      // counts posted invoices, so a large order placed mid-invoicing could fail credit or not.
      // (Held orders and damaged shipments offered a reship wait for a person, as they should.)
      await until(
        '78 orders released or waiting, their invoices posted',
        async () =>
          (await count(
            sql<{ n: string }>`SELECT count(*) AS n FROM runs WHERE workflow_id = 'order-release'`,
          )) >= 78 &&
          (await count(
            sql<{ n: string }>`SELECT count(*) AS n FROM runs
              WHERE status IN ('queued', 'ready', 'running')
                 OR (status = 'waiting' AND workflow_id NOT IN ('order-release', 'shipment-tracking'))`,
          )) === 0,
        player,
      );
      // Three large orders from regular customers: identical low-risk requests, approvable together.
      for (let i = 0; i < 3; i++) await traffic.place(OrderKind.large);
      await until(
        '81 orders released or waiting',
        async () =>
          (await count(
            sql<{ n: string }>`SELECT count(*) AS n FROM runs WHERE workflow_id = 'order-release'`,
          )) >= 81 &&
          (await count(
            sql<{
              n: string;
            }>`SELECT count(*) AS n FROM runs WHERE status IN ('queued', 'ready', 'running')`,
          )) === 0,
        player,
      );
    } finally {
      bot.stop();
      await player.stop();
    }
    browser = await launchBrowser();
    if (TAKE_SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    const password = readFileSync(join(dir, 'demo', 'ops.password'), 'utf8').trim();
    const signed = await signIn(browser, system.instance.url!, OPS_LEAD, password);
    page = signed.page;
    closeContext = () => signed.context.close();
  });
  after(async () => {
    await closeContext?.();
    await browser?.close();
    await system?.close();
    if (dir) removeDir(dir);
  });

  const nav = (name: string) =>
    page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name, exact: true })
      .click();

  test('overview: the KPIs agree with the store', async () => {
    const waiting = await count(
      sql<{ n: string }>`SELECT count(*) AS n FROM approval_requests WHERE status = 'pending'`,
    );
    const open = await count(
      sql<{
        n: string;
      }>`SELECT count(*) AS n FROM exception_cases WHERE status IN ('open', 'retrying')`,
    );
    assert.ok(waiting > 0, 'some orders wait for an approver');
    assert.ok(open > 0, 'some cases are open');
    await nav('Overview');
    await page.locator('[data-kpi="error-rate"]').waitFor();
    assert.equal(await page.locator('[data-kpi="approvals-waiting"]').innerText(), String(waiting));
    assert.equal(await page.locator('[data-kpi="exceptions-open"]').innerText(), String(open));
    await look('overview');
  });

  test('approvals: the inbox lists every waiting order, soonest deadline first, with why it needs approval', async () => {
    const pending = (
      await sql<{
        summary: string;
      }>`SELECT r.summary FROM approval_requests r JOIN runs ON runs.id = r.run_id
      WHERE r.status = 'pending' AND runs.status = 'waiting' ORDER BY r.level_due_at, r.id`.execute(
        db(),
      )
    ).rows;
    await nav('Approvals');
    const scope = page.getByRole('button', { name: 'All pending' });
    if (await scope.count()) await scope.click();
    const inbox = page.getByRole('table', { name: 'Pending approval requests' });
    await inbox.getByRole('link', { name: pending[0]!.summary }).waitFor();
    assert.deepEqual(
      await inbox.locator('tbody tr a[href*="/approvals/"]').allInnerTexts(),
      pending.map((p) => p.summary).slice(0, 50),
    );
    await inbox.getByRole('link', { name: pending[0]!.summary }).click();
    const detail = page.locator('[data-approval-detail]');
    await detail.getByText('Why (the policy decision)').waitFor();
    // The policy row that matched, readable: the policy, the rule, what it decided, the values it saw.
    const why = await detail.getByLabel('Policy decision').innerText();
    assert.match(why, /Policy\s+order-release-tier/);
    assert.match(why, /Matched\s+Release tier, rule \d+/);
    assert.match(why, /tier\s+(manager|finance\+director)/);
    assert.match(
      await detail
        .getByRole('table', { name: /^Values rule \d+ of Release tier looked at$/ })
        .innerText(),
      /margin_pct/,
    );
    // The large orders share a bulk group: one click selects them all for one approval.
    const large = (
      await sql<{
        n: string;
      }>`SELECT count(*) AS n FROM approval_requests WHERE status = 'pending' AND bulk_group IS NOT NULL
      AND summary LIKE '%order total of 10000 or more'`.execute(db())
    ).rows[0]!;
    assert.ok(Number(large.n) >= 3, 'the three large orders wait together');
    await inbox.getByRole('button', { name: `Select all ${large.n} like this` }).click();
    await page
      .getByRole('form', { name: 'Bulk approval' })
      .getByRole('button', { name: `Approve ${large.n} selected` })
      .waitFor();
    await look('approvals');
  });

  test('exceptions: the deliveries no carrier took are one root cause, with their failed step', async () => {
    const failed = await count(
      sql<{
        n: string;
      }>`SELECT count(*) AS n FROM runs WHERE workflow_id = 'dispatch' AND status = 'failed'`,
    );
    assert.ok(failed >= 1, 'the closed depots failed some deliveries');
    await nav('Exceptions');
    const groups = page.getByRole('list', { name: 'Root-cause groups' });
    await groups.getByText(/dispatch \/ book \/ CARRIER_ALL_FAILED/).waitFor();
    assert.match(
      await groups.innerText(),
      new RegExp(`^${failed} × dispatch / book / CARRIER_ALL_FAILED `, 'm'),
    );
    await page
      .locator('[data-case]')
      .filter({ hasText: 'CARRIER_ALL_FAILED' })
      .first()
      .getByRole('link')
      .first()
      .click();
    await page.locator('[data-case-detail]').getByText('Failed step: book').waitFor();
    await look('exceptions');
    // Every case opened minutes ago: none has been open longer than an hour.
    await page.getByLabel('Open longer than').selectOption({ label: '1 hour' });
    await page.getByText('No cases match.').waitFor();
    await page.getByLabel('Open longer than').selectOption({ label: 'any age' });
    await page.locator('[data-case]').first().waitFor();
  });

  test('runs: the explorer lists the newest runs first', async () => {
    const newest = (
      await sql<{ id: string }>`SELECT id FROM runs ORDER BY id DESC LIMIT 1`.execute(db())
    ).rows[0]!;
    await nav('Runs');
    const runs = answeredTable(page, 'Runs');
    await runs
      .locator(`[data-run="${newest.id}"]`)
      .getByRole('link', { name: `#${newest.id}` })
      .waitFor();
    await look('runs');
    // Searched on the server: every run of one order, whatever its workflow (gate, release, dispatch, tracking).
    const order = (
      await sql<{
        name: string;
      }>`SELECT input->>'name' AS name FROM runs WHERE workflow_id = 'order-release' ORDER BY id LIMIT 1`.execute(
        db(),
      )
    ).rows[0]!.name;
    const ofOrder = (
      await sql<{
        id: string;
      }>`SELECT id FROM runs WHERE strpos(lower(input::text), lower(${order})) > 0 ORDER BY id DESC`.execute(
        db(),
      )
    ).rows.map((r) => `#${r.id}`);
    assert.ok(ofOrder.length >= 3, `${order} has a gate, a release and a dispatch run at least`);
    await page.getByLabel('Input contains').fill(order);
    await runs.locator('tbody tr').nth(ofOrder.length).waitFor({ state: 'detached' });
    await runs.locator(`[data-run="${ofOrder[0]!.slice(1)}"]`).waitFor();
    assert.deepEqual(await runs.locator('tbody tr td:first-child a').allInnerTexts(), ofOrder);
    await page.getByLabel('Input contains').fill('');
    // Filtered on the server: the failed runs are the dispatches no carrier took.
    const failed = (
      await sql<{
        id: string;
      }>`SELECT id FROM runs WHERE status = 'failed' ORDER BY id DESC`.execute(db())
    ).rows.map((r) => `#${r.id}`);
    await page.getByLabel('Status').selectOption('failed');
    await runs.locator(`[data-run="${failed[0]!.slice(1)}"]`).waitFor();
    await runs
      .locator('tbody tr')
      .nth(failed.length - 1)
      .waitFor();
    await runs.locator('tbody tr').nth(failed.length).waitFor({ state: 'detached' });
    assert.deepEqual(await runs.locator('tbody tr td:first-child a').allInnerTexts(), failed);
    await page.getByLabel('Started from').fill('2099-01-01T00:00');
    await page.getByText('No runs match.').waitFor();
  });

  test('run page: an approved order release shows the path it took through the graph', async () => {
    const approved = (
      await sql<{
        run_id: string;
      }>`SELECT r.run_id FROM approval_requests r JOIN runs ON runs.id = r.run_id
      WHERE r.status = 'approved' AND runs.status = 'completed' AND r.workflow_id = 'order-release' ORDER BY r.id LIMIT 1`.execute(
        db(),
      )
    ).rows[0];
    assert.ok(approved, 'an approver approved an order');
    await page.goto(`/app/runs/${approved.run_id}`);
    await page.locator('[data-run-status="completed"]').waitFor();
    for (const step of ['tier', 'approve', 'release-note', 'released'])
      assert.equal(
        await page.locator(`[data-step="${step}"]`).getAttribute('data-status'),
        'completed',
        step,
      );
    assert.equal(
      await page.locator('[data-step="hold-note"]').getAttribute('data-status'),
      'not-run',
    );
    await look('run');
  });

  test('workflows and policies: the order-release graph and its decision table', async () => {
    await nav('Workflows');
    await page.getByRole('link', { name: 'order-release', exact: true }).click();
    await page.locator('[data-step="approve"]').waitFor();
    await look('workflows');
    // The editor opens the current version as YAML; the operations lead (an administrator) may save.
    await page.getByRole('link', { name: 'Edit as YAML' }).click();
    const yaml = page.getByLabel('Workflow order-release (YAML)');
    await yaml.waitFor();
    assert.match(await yaml.inputValue(), /^id: order-release$/m);
    await page.locator('[data-check="unchanged"]').waitFor();
    await page.locator('[data-step="approve"]').waitFor();
    await look('workflow-editor');
    await nav('Policies');
    const policy = page.getByRole('region', { name: 'order-release-tier' });
    await policy.getByRole('button', { name: 'Show rules' }).click();
    await policy
      .getByRole('table', { name: 'Rules of Release tier' })
      .getByText('"customer is blocked"')
      .waitFor();
    await look('policies');
  });

  test('notifications: the outbox, newest first, every message sent', async () => {
    // The last approval requests' e-mails may still be on their way: look once the outbox is idle (at most 30 s).
    for (
      const deadline = Date.now() + 30_000;
      (await count(
        sql<{
          n: string;
        }>`SELECT count(*) AS n FROM notifications WHERE status IN ('pending', 'sending')`,
      )) > 0;
    ) {
      if (Date.now() > deadline) throw new Error('the outbox did not empty within 30 s');
      await new Promise((r) => setTimeout(r, 100)); // polling a condition, bounded by the deadline
    }
    const messages = (
      await sql<{
        id: string;
        status: string;
      }>`SELECT id, status FROM notifications ORDER BY id DESC LIMIT 50`.execute(db())
    ).rows;
    assert.ok(messages.length > 10, 'approval requests and customer e-mails went out');
    await nav('Notifications');
    const table = page.getByRole('table', { name: 'Notifications' });
    await table.locator(`[data-notification="${messages[0]!.id}"]`).waitFor();
    assert.deepEqual(
      await table
        .locator('tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => [r.getAttribute('data-notification'), r.getAttribute('data-status')]),
        ),
      messages.map((m) => [String(m.id), m.status]),
    );
    await look('notifications');
    // Older pages by keyset: the 51st message is the first of page 2.
    const second = (
      await sql<{
        id: string;
      }>`SELECT id FROM notifications ORDER BY id DESC OFFSET 50 LIMIT 1`.execute(db())
    ).rows[0]!;
    await page.getByRole('button', { name: 'Older' }).click();
    await table
      .locator('tbody tr')
      .first()
      .and(table.locator(`[data-notification="${second.id}"]`))
      .waitFor();
  });

  test('audit: the decisions of the day, and an intact hash chain', async () => {
    const newest = (
      await sql<{
        seq: string;
      }>`SELECT max(seq) AS seq FROM audit_log WHERE action LIKE 'approval.%'`.execute(db())
    ).rows[0]!;
    await nav('Audit');
    await page.getByLabel('Action (or prefix)').fill('approval');
    await page.getByRole('button', { name: 'Search' }).click();
    const entries = answeredTable(page, 'Audit entries');
    await entries
      .locator(`tr[data-seq="${newest.seq}"]`)
      .getByText(/^approval\./)
      .waitFor();
    const seqs = await entries
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
      'newest first',
    );
    assert.equal(seqs[0], Number(newest.seq));
    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    await page.locator('[data-verify="ok"]').waitFor();
    await look('audit');
  });
});
