import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PERSON_ONLY, REMOTE_COMMAND_PERMISSIONS, localCliScopes } from '../../src/auth/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createCrossdock, startInstance, type RunningInstance } from '../../src/main.ts';
import { createOutput } from '../../src/cli/output.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { runCrossdock } from '../support/cli.ts';
import { waitForRun } from '../support/engine.ts';

const APPROVAL = `
id: big-order
trigger: { event: order.big }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Order ' & event.payload.name & ' is big'"
      levels: [{ name: manager, approvers: { users: [ana@acme.test] }, sla_hours: 4 }]
`;
const FAILING = `
id: credit-check
trigger: { event: order.check }
steps:
  - id: check
    type: fail
    with: { code: CREDIT_HOLD, message: "= 'credit limit exceeded for ' & event.payload.name" }
`;

// The local command-line token exists only beside the embedded store (PGlite), which one
// process holds: with a PostgreSQL server the CLI opens the store itself and needs no token.
describe('the CLI on the machine of a running embedded-store instance (docs/odoo-setup.md section 10)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-local-cli-'));
  const env = {
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
    LOG_LEVEL: 'silent',
  };
  let running: RunningInstance;
  let port: string;
  const runIds: Record<string, string> = {};

  before(async () => {
    mkdirSync(env.CROSSDOCK_WORKFLOWS_DIR);
    writeFileSync(join(env.CROSSDOCK_WORKFLOWS_DIR, 'big-order.yaml'), APPROVAL);
    writeFileSync(join(env.CROSSDOCK_WORKFLOWS_DIR, 'credit-check.yaml'), FAILING);
    const config = loadConfig({ ...env, CROSSDOCK_PORT: '0', CROSSDOCK_HOST: '127.0.0.1' });
    const crossdock = await createCrossdock(config, { logger: silentLogger() });
    await crossdock.services.users.create({ email: 'ana@acme.test', role: 'approver' });
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    running = await startInstance(crossdock, config, { api: true, workers: 1 }, createOutput(true));
    port = new URL(running.url!).port;
    for (const [type, name] of [
      ['order.big', 'S00042'],
      ['order.check', 'S00043'],
    ] as const) {
      const accepted = await crossdock.engine.accept({
        source: 'odoo',
        type,
        key: name,
        payload: { id: 42, name },
      });
      runIds[type] = accepted.runIds[0]!;
      await waitForRun(crossdock.engine, runIds[type], ['waiting', 'failed']);
    }
  });
  after(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCrossdock(args, { ...env, CROSSDOCK_PORT: port });

  test('runs list, runs show, approvals list --status pending and exceptions list --status open answer through the API', async () => {
    const runs = await cli('runs', 'list');
    assert.equal(runs.status, 0, runs.stderr);
    assert.match(runs.stdout, /big-order/);
    assert.match(runs.stdout, /credit-check/);
    const shown = await cli('runs', 'show', runIds['order.check']!);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /CREDIT_HOLD/);
    const approvals = await cli('approvals', 'list', '--status', 'pending');
    assert.equal(approvals.status, 0, approvals.stderr);
    assert.match(approvals.stderr, /using the API at http:\/\/127\.0\.0\.1:/);
    assert.match(approvals.stdout, /pending\s+sale\.order S00042\s+manager/);
    assert.match(approvals.stdout, /ana@acme\.test/);
    const cases = await cli('exceptions', 'list', '--status', 'open');
    assert.equal(cases.status, 0, cases.stderr);
    assert.match(cases.stdout, /credit-check/);
    assert.match(cases.stdout, /CREDIT_HOLD/);
  });

  test("a decision is a person's: the local token cannot approve, and says whose token to use", async () => {
    const [request] = JSON.parse((await cli('approvals', 'list', '--json')).stdout).approvals as {
      id: string;
    }[];
    const decided = await cli('approvals', 'approve', request!.id);
    assert.equal(decided.status, 1);
    assert.match(decided.stderr, /FORBIDDEN/);
    assert.match(decided.stderr, /set CROSSDOCK_TOKEN to your own API token/);
  });

  test("the token has what the remote commands need, less what is a person's", () => {
    const scopes = localCliScopes();
    for (const [command, permission] of Object.entries(REMOTE_COMMAND_PERMISSIONS)) {
      assert.equal(scopes.includes(permission), !PERSON_ONLY.includes(permission), command);
    }
    assert.ok(scopes.includes('approvals:read') && scopes.includes('exceptions:read'));
  });
});
