import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { runCrossdock } from '../support/cli.ts';

describe('crossdock odoo check / setup-rules against the simulator', () => {
  let sim: OdooSimulator;
  let dir: string;
  const TOKEN = 'cli-test-token-0123456789abcdef';
  const runWith = (env: Record<string, string>, ...args: string[]) =>
    runCrossdock(args, { CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'), CROSSDOCK_DATA_DIR: join(dir, 'data'), ...env });
  const run = (...args: string[]) => runWith({ ODOO_API_KEY: 'sim-admin-api-key', ODOO_HOOK_TOKEN: TOKEN }, ...args);

  before(async () => {
    sim = await startOdooSimulator();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-odoo-cli-'));
    writeFileSync(join(dir, 'odoo.yaml'), `
public_url: http://127.0.0.1:3999
connections:
  - { name: main, url: "${sim.url}", database: ${sim.database}, login: admin, api_key_env: ODOO_API_KEY, protocol: jsonrpc }
sources:
  - name: odoo
    connection: main
    token_env: ODOO_HOOK_TOKEN
    watch:
      - { model: sale.order, event: sale.order.confirmed, domain: [[state, "=", sale]], fields: [name, state, amount_total], rule: { state: sale } }
      - { model: stock.picking, event: stock.picking.ready, domain: [[state, "=", assigned]], fields: [name, state, origin], rule: { state: assigned } }
`);
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('check reports the missing rules (exit 1); setup-rules creates them; check then says ok with version, user and rights', async () => {
    const first = await run('odoo', 'check');
    assert.equal(first.status, 1, first.stderr);
    assert.match(first.stdout, /Odoo 17\.0/);
    assert.match(first.stdout, /user .*admin.*uid 2/i);
    assert.match(first.stdout, /sale\.order read ok/);
    assert.match(first.stdout, /rule "Crossdock odoo: sale.order.confirmed": missing/);

    const setup = await run('odoo', 'setup-rules', '--json');
    assert.equal(setup.status, 0, setup.stderr);
    const rules = JSON.parse(setup.stdout).rules as { state: string; url: string }[];
    assert.deepEqual(rules.map((r) => r.state), ['created', 'created']);
    assert.ok(rules.every((r) => r.url.includes('***') && !r.url.includes(TOKEN)), 'the token is never printed');

    const second = await run('odoo', 'check');
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /stock.picking.ready": ok/);
    assert.ok(!second.stdout.includes(TOKEN) && !second.stdout.includes('sim-admin-api-key'));
  });

  test('a missing secret is named, not guessed', async () => {
    const result = await runWith({ ODOO_API_KEY: '', ODOO_HOOK_TOKEN: TOKEN }, 'odoo', 'check');
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /ODOO_CONFIG_INVALID/);
    assert.match(result.stderr, /ODOO_API_KEY is not set/);
  });
});
