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
  // The first command creates the data directory (initdb in a child process): slow on a busy machine.
  const runWith = (env: Record<string, string>, ...args: string[]) =>
    runCrossdock(
      args,
      {
        CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
        CROSSDOCK_DATA_DIR: join(dir, 'data'),
        ...env,
      },
      180_000,
    );
  const run = (...args: string[]) =>
    runWith({ ODOO_API_KEY: 'sim-admin-api-key', ODOO_HOOK_TOKEN: TOKEN }, ...args);

  before(async () => {
    sim = await startOdooSimulator();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-odoo-cli-'));
    // The least-privilege user of docs/odoo-setup.md section 2: no Administration: Settings.
    writeFileSync(
      join(dir, 'odoo-salesuser.yaml'),
      `
public_url: http://127.0.0.1:3999
connections:
  - { name: odoo, url: "${sim.url}", database: ${sim.database}, login: salesuser, api_key_env: ODOO_API_KEY, protocol: jsonrpc }
sources:
  - name: odoo
    connection: odoo
    token_env: ODOO_HOOK_TOKEN
    watch:
      - { model: sale.order, event: sale.order.confirmed, domain: [[state, "=", sale]], fields: [name, state, amount_total, date_order], rule: { state: sale } }
`,
    );
    writeFileSync(
      join(dir, 'odoo-down.yaml'),
      `
public_url: http://127.0.0.1:3999
connections:
  - { name: odoo, url: "http://127.0.0.1:1", database: odoo17, login: admin, api_key_env: ODOO_API_KEY, protocol: jsonrpc, retry: { maxAttempts: 1 } }
`,
    );
    writeFileSync(
      join(dir, 'odoo.yaml'),
      `
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
`,
    );
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('check reports the missing rules (exit 1); setup-rules creates them; check then says ok with version, user and rights', async () => {
    const first = await run('odoo', 'check');
    assert.equal(first.status, 1, first.stderr);
    assert.match(first.stdout, /connection: ok {2}Odoo 17\.0/);
    assert.match(first.stdout, /user: ok {2}.*\(admin, uid 2\)/i);
    assert.match(first.stdout, /read sale\.order: ok/);
    assert.match(first.stdout, /rule "Crossdock odoo: sale.order.confirmed": MISSING/);
    assert.match(first.stdout, /NOT READY \(exit 1\)/);

    const setup = await run('odoo', 'setup-rules', '--json');
    assert.equal(setup.status, 0, setup.stderr);
    const rules = JSON.parse(setup.stdout).rules as { state: string; url: string }[];
    assert.deepEqual(
      rules.map((r) => r.state),
      ['created', 'created'],
    );
    assert.ok(
      rules.every((r) => r.url.includes('***') && !r.url.includes(TOKEN)),
      'the token is never printed',
    );

    const second = await run('odoo', 'check');
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /stock.picking.ready": ok/);
    assert.match(second.stdout, /\nok\n$/);
    assert.ok(!second.stdout.includes(TOKEN) && !second.stdout.includes('sim-admin-api-key'));
  });

  test('the least-privilege user: version, user and rights are reported, the rule check is forbidden, exit 1', async () => {
    const salesuser = {
      ODOO_API_KEY: 'sim-salesuser-api-key',
      ODOO_HOOK_TOKEN: TOKEN,
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo-salesuser.yaml'),
    };
    const result = await runWith(salesuser, 'odoo', 'check', '--workflows', 'packs');
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /UNREACHABLE/);
    assert.match(result.stdout, /^odoo: Odoo 17\.0/m);
    assert.match(result.stdout, /connection: ok {2}Odoo 17\.0/);
    assert.match(result.stdout, /user: ok {2}Lab Sales User \(salesuser, uid 8\)/);
    // Watched models, and what the packs' Odoo steps read and write.
    assert.match(
      result.stdout,
      /read sale\.order: ok {2}for source odoo \(sale\.order\.confirmed\)/,
    );
    assert.match(
      result.stdout,
      /read res\.partner: ok {2}for .*order-release\/customer|read res\.partner: ok {2}for .* and \d+ more/,
    );
    assert.match(result.stdout, /write stock\.picking: ok/);
    assert.match(
      result.stdout,
      /rules of source odoo: FORBIDDEN {2}this Odoo user may not read the automation rules .*\(ODOO_ACCESS_ERROR\)/,
    );
    assert.match(result.stdout, /NOT READY \(exit 1\)/);
    const json = JSON.parse((await runWith(salesuser, 'odoo', 'check', '--json')).stdout);
    const rules = json.connections[0].capabilities.find(
      (c: { capability: string }) => c.capability === 'rules of source odoo',
    );
    assert.deepEqual(
      [rules.state, rules.code, json.exitCode],
      ['forbidden', 'ODOO_ACCESS_ERROR', 1],
    );
  });

  test('a refused login and an unreachable server exit 3, each named on its line', async () => {
    const refused = await runWith(
      { ODOO_API_KEY: 'not-the-key', ODOO_HOOK_TOKEN: TOKEN },
      'odoo',
      'check',
    );
    assert.equal(refused.status, 3, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /connection: ok/);
    assert.match(refused.stdout, /login: UNREACHABLE .*ODOO_ACCESS_DENIED/);
    assert.match(refused.stdout, /UNREACHABLE \(exit 3\)/);
    assert.ok(!refused.stdout.includes('not-the-key'));
    const down = await runWith(
      { ODOO_API_KEY: 'sim-admin-api-key', CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo-down.yaml') },
      'odoo',
      'check',
    );
    assert.equal(down.status, 3, down.stdout + down.stderr);
    assert.match(down.stdout, /connection: UNREACHABLE .*ODOO_UNAVAILABLE/);
    assert.doesNotMatch(down.stdout, /user:/);
  });

  test('without a mail transport, check says approvers are not e-mailed (a warning: the exit code stays 0)', async () => {
    const result = await run('odoo', 'check');
    assert.equal(result.status, 0, result.stdout);
    assert.match(
      result.stdout,
      /e-mail: WARNING {2}no mail transport \(CROSSDOCK_SMTP_HOST is not set\)/,
    );
  });

  test('a missing secret is named, not guessed', async () => {
    const result = await runWith({ ODOO_API_KEY: '', ODOO_HOOK_TOKEN: TOKEN }, 'odoo', 'check');
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /ODOO_CONFIG_INVALID/);
    assert.match(result.stderr, /ODOO_API_KEY is not set/);
  });
});
