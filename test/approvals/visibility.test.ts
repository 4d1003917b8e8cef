import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../src/api/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { createOutput } from '../../src/cli/output.ts';
import { loadConfig } from '../../src/config/index.ts';
import { noEligibleApproverCase } from '../../src/exceptions/index.ts';
import {
  createCrossdock,
  startInstance,
  type Crossdock,
  type RunningInstance,
} from '../../src/main.ts';
import { createLogger } from '../../src/observability/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore } from '../support/stores.ts';

// The section 7 example of docs/odoo-setup.md: the only director is also the salesperson.
const RELEASE = `
id: release
trigger: { event: order.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Order ' & event.payload.name & ' needs approval'"
      requester: "= event.payload.salesperson"
      levels: [{ name: "= event.payload.level", approvers: { group: "= event.payload.level" }, sla_hours: 24 }]
`;

/**
 * A whole Crossdock (createCrossdock, started as `crossdock worker` starts it) without a mail
 * transport, on the test store: approvals nobody may decide and approvals nobody is told
 * about are visible in the request, the exception queue, the metrics and the log.
 */
describe('approvals nobody may decide, and approvals nobody is told about', () => {
  let crossdock: Crossdock;
  let running: RunningInstance;
  let cleanup: () => Promise<void>;
  const logLines: Record<string, unknown>[] = [];

  before(async () => {
    const t = await openTestStore({ onDisk: true });
    const store: Record<string, string> =
      t.connection.kind === 'postgres'
        ? { DATABASE_URL: t.connection.url }
        : { CROSSDOCK_DATA_DIR: t.connection.dataDir };
    if (t.connection.kind === 'pglite') await t.store.close(); // one process, one PGlite: the instance opens it
    const stateDir = t.connection.kind === 'pglite' ? dirname(t.connection.dataDir) : null;
    const config = loadConfig({
      ...store,
      ...(stateDir ? { CROSSDOCK_STATE_DIR: stateDir } : {}),
      CROSSDOCK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      LOG_LEVEL: 'warn',
    });
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    crossdock = await createCrossdock(config, {
      logger: createLogger({ level: 'warn', destination }),
      migrate: false,
    });
    const loaded = parseWorkflow(RELEASE, 'release.yaml', crossdock.engine.steps);
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    await crossdock.engine.installWorkflows(loaded.workflows);
    for (const [email, group, odooUserId] of [
      ['dora@acme.test', 'director', 2],
      ['sam@acme.test', 'sales-manager', 7],
    ] as const) {
      const user = await crossdock.services.users.create({ email, role: 'approver' });
      await crossdock.services.approvals.directory.setProfile(
        user.id,
        { groups: [group], odooUserId },
        new Date(),
      );
    }
    running = await startInstance(
      crossdock,
      config,
      { api: false, workers: 1 },
      createOutput(true),
    );
    cleanup = async () => {
      await running.stop();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
      else await t.dispose();
    };
  });
  after(() => cleanup());

  const review = async (name: string, level: string, salesperson: string) => {
    const { runIds } = await crossdock.engine.accept({
      source: 'odoo',
      type: 'order.review',
      key: name,
      payload: { id: Number(name.slice(1)), name, level, salesperson },
    });
    await waitForRun(crossdock.engine, runIds[0]!, ['waiting']);
    const [request] = (
      await crossdock.services.approvals.list({ status: 'pending' })
    ).approvals.filter((a) => a.runId === runIds[0]);
    return crossdock.services.approvals.show(request!.id);
  };
  const cases = async () =>
    (await crossdock.services.exceptions.list({ status: 'open' })).cases.filter(
      (c) => c.errorCode === 'APPROVAL_NO_ELIGIBLE_APPROVER',
    );
  const metric = async (name: string) =>
    Number(
      new RegExp(`^${name}\\{workflow="release"\\} (\\d+)$`, 'm').exec(
        await crossdock.services.metrics.render(),
      )?.[1] ?? 0,
    );

  test('at start-up, a missing mail transport is a warning', () => {
    assert.ok(
      logLines.some(
        (l) =>
          l.level === 40 &&
          /^no mail transport: approvers and customers are not e-mailed/.test(String(l.msg)),
      ),
      JSON.stringify(logLines),
    );
  });

  test('the salesperson is the only director: the request says nobody may decide, operations gets one case, a metric and a warning', async () => {
    const request = await review('S00041', 'director', 'odoo:2');
    assert.deepEqual(request.level.assignees, []);
    assert.deepEqual(
      request.warnings.map((w) => w.code),
      ['APPROVAL_NO_ELIGIBLE_APPROVER'],
    );
    assert.match(request.warnings[0]!.message, /Nobody may decide level "director"/);
    assert.match(
      request.actions.find((a) => a.action === 'no_eligible_approver')!.reason!,
      /all 1 approver\(s\) are excluded by segregation of duties/,
    );

    const [opened] = await cases();
    assert.ok(opened, 'a case is open');
    assert.deepEqual(
      { severity: opened.severity, team: opened.owner.team, run: opened.runId },
      { severity: 'high', team: 'operations', run: request.runId },
    );
    assert.match(
      opened.title,
      new RegExp(
        `Approval request ${request.id} \\(sale\\.order S00041\\): nobody may decide level "director"`,
      ),
    );
    assert.equal(await metric('crossdock_approvals_without_approver'), 1);
    assert.ok(
      logLines.some(
        (l) =>
          l.level === 40 &&
          l.request === request.id &&
          /nobody may decide level "director"/.test(String(l.msg)),
      ),
      JSON.stringify(logLines),
    );

    // The API says so too, to anyone who may read approvals.
    const viewer = await crossdock.services.users.create({
      email: 'vera@acme.test',
      role: 'viewer',
    });
    const { token } = await crossdock.services.tokens.create(
      { id: viewer.id, role: 'viewer' },
      { name: 'viewer' },
      null,
    );
    const api = await buildApi({
      services: crossdock.services,
      logger: silentLogger(),
      maxBodyBytes: 64 * 1024,
      rateLimit: { perMinute: 100_000, loginPerMinute: 1_000 },
      dashboardDir: null,
    });
    try {
      await api.listen({ host: '127.0.0.1', port: 0 });
      const answer = await fetch(
        `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/api/v1/approvals/${request.id}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      assert.equal(answer.status, 200);
      assert.deepEqual(
        ((await answer.json()) as { warnings: { code: string }[] }).warnings.map((w) => w.code),
        ['APPROVAL_NO_ELIGIBLE_APPROVER'],
      );
    } finally {
      await api.close();
    }

    // One case per request, however often it is reported.
    await crossdock.store.db
      .transaction()
      .execute((tx) =>
        noEligibleApproverCase(
          crossdock.services.exceptions!,
          createLogger({ level: 'silent' }),
          request,
          [],
          tx as never,
        ),
      );
    assert.equal((await cases()).length, 1);
    const other = await review('S00042', 'director', 'odoo:2');
    assert.deepEqual(
      (await cases()).map((c) => c.subject?.id).sort(),
      [request.id, other.id].sort(),
    );
    assert.equal(await metric('crossdock_approvals_without_approver'), 2);
  });

  test('without a mail transport the approver is not e-mailed: the request shows nobody was notified, with a log line and a metric', async () => {
    const before = await metric('crossdock_approvals_not_notified');
    const request = await review('S00043', 'sales-manager', 'odoo:2');
    assert.deepEqual(
      request.level.assignees.map((a) => [a.email, a.unnotified]),
      [['sam@acme.test', 'sam@acme.test: no mail transport (CROSSDOCK_SMTP_HOST is not set)']],
    );
    assert.deepEqual(
      request.warnings.map((w) => w.code),
      ['APPROVAL_NOT_NOTIFIED'],
    );
    assert.match(
      request.warnings[0]!.message,
      /^Nobody was notified of level "sales-manager" \(no mail transport/,
    );
    assert.equal(request.actions.filter((a) => a.action === 'not_notified').length, 1);
    const outbox = await sql<{ n: string }>`SELECT count(*) AS n FROM notifications`.execute(
      crossdock.store.db,
    );
    assert.equal(Number(outbox.rows[0]!.n), 0, 'nothing queued that could not go');
    assert.equal(await metric('crossdock_approvals_not_notified'), before + 1);
    assert.ok(
      logLines.some(
        (l) =>
          l.level === 40 &&
          l.request === request.id &&
          /approval notice not sent: no mail transport/.test(String(l.msg)),
      ),
    );
    assert.deepEqual(
      await cases().then((c) => c.filter((x) => x.subject?.id === request.id)),
      [],
      'an approver who can decide is not a case',
    );
  });
});
