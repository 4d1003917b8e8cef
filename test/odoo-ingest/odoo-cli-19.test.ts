import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { runCrossdock } from '../support/cli.ts';

/** `crossdock odoo check` on Odoo 19: the version, and JSON-2 recommended while the connection uses a legacy protocol. */
describe('crossdock odoo check against Odoo 19', () => {
  let sim: OdooSimulator;
  let dir: string;
  const configWith = (protocol: string) =>
    writeFileSync(
      join(dir, 'odoo.yaml'),
      `
public_url: http://127.0.0.1:3999
connections:
  - { name: main, url: "${sim.url}", database: ${sim.database}, login: admin, api_key_env: ODOO_API_KEY, protocol: ${protocol} }
sources:
  - name: odoo
    connection: main
    token_env: ODOO_HOOK_TOKEN
    watch:
      - { model: sale.order, event: sale.order.confirmed, domain: [[state, "=", sale]], fields: [name, state], rule: { state: sale } }
`,
    );
  const check = () =>
    runCrossdock(['odoo', 'check'], {
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
      CROSSDOCK_DATA_DIR: join(dir, 'data'),
      ODOO_API_KEY: 'sim-admin-api-key',
      ODOO_HOOK_TOKEN: 'cli-test-token-0123456789abcdef',
    });

  before(async () => {
    sim = await startOdooSimulator({ version: 19 });
    dir = mkdtempSync(join(tmpdir(), 'crossdock-odoo19-cli-'));
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const protocol of ['jsonrpc', 'xmlrpc']) {
    test(`over ${protocol}: the version, and the recommendation to move to JSON-2`, async () => {
      configWith(protocol);
      const result = await check();
      assert.match(result.stdout, /main: Odoo 19\.0\+e-20251227/);
      assert.match(result.stdout, /user: ok .*admin/);
      assert.match(
        result.stdout,
        new RegExp(
          `protocol: WARNING  recommended: Odoo 19\\.0 deprecates /${protocol} \\(removed in Odoo 20\\): set "protocol: json2"`,
        ),
      );
      assert.match(result.stdout, /read sale\.order: ok/);
    });
  }

  test('over json2: the same report, with nothing to recommend', async () => {
    configWith('json2');
    const result = await check();
    assert.match(result.stdout, /main: Odoo 19\.0\+e-20251227/);
    assert.match(result.stdout, /user: ok  the API key's user \(JSON-2 has no uid\)/);
    assert.ok(!result.stdout.includes('recommended'), result.stdout);
    assert.match(result.stdout, /read sale\.order: ok/);
  });
});
