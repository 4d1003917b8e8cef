/** `crossdock sim odoo`: the Odoo 17 simulator on its own with the demo's data, and the Odoo configuration that reaches it. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createOdooClient } from '../../src/connectors/odoo/index.ts';
import { completeJson, runCrossdock, startCrossdock } from '../support/cli.ts';

describe('crossdock sim odoo', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crossdock-sim-odoo-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('serves the demo data over JSON-RPC; the written configuration passes odoo check once setup-rules ran; SIGINT stops it', async () => {
    const configFile = join(dir, 'odoo.yaml');
    const sim = startCrossdock([
      'sim',
      'odoo',
      '--port',
      '0',
      '--write-config',
      configFile,
      '--json',
    ]);
    let url: string;
    try {
      const answer = JSON.parse(await sim.output(completeJson)) as {
        url: string;
        database: string;
        env: Record<string, string>;
      };
      url = answer.url;
      assert.doesNotMatch(
        readFileSync(configFile, 'utf8'),
        /sim-admin-api-key/,
        'the file names the variable, not the key',
      );
      assert.deepEqual(Object.keys(answer.env).sort(), [
        'CROSSDOCK_SIM_ODOO_API_KEY',
        'CROSSDOCK_SIM_ODOO_HOOK_TOKEN',
      ]);

      const client = createOdooClient({
        name: 'sim',
        url: answer.url,
        database: answer.database,
        login: 'admin',
        apiKey: answer.env.CROSSDOCK_SIM_ODOO_API_KEY!,
        protocol: 'jsonrpc',
      });
      const [warehouse] = await client.call<{ partner_id: [number, string] }[]>(
        'stock.warehouse',
        'search_read',
        [[['code', '=', 'WH']]],
        { fields: ['partner_id'] },
      );
      const [address] = await client.call<{ city: string; country_id: [number, string] }[]>(
        'res.partner',
        'read',
        [[warehouse!.partner_id[0]]],
        { fields: ['city', 'country_id'] },
      );
      assert.deepEqual([address!.city, address!.country_id[1]], ['Hamburg', 'Germany']);
      assert.equal(
        (
          await client.call<unknown[]>('delivery.carrier', 'search_read', [[]], {
            fields: ['name'],
          })
        ).length >= 4,
        true,
        'the carriers have shipping methods',
      );

      const env = {
        ...answer.env,
        CROSSDOCK_ODOO_CONFIG: configFile,
        CROSSDOCK_DATA_DIR: join(dir, 'data'),
      };
      const missing = await runCrossdock(['odoo', 'check'], env);
      assert.notEqual(missing.status, 0, 'not ready before the rules exist');
      assert.match(missing.stdout, /Odoo 17\.0/);
      assert.match(missing.stdout, /Crossdock odoo: sale\.order\.confirmed.*missing/);
      assert.equal((await runCrossdock(['odoo', 'setup-rules'], env)).status, 0);
      const ready = await runCrossdock(['odoo', 'check'], env);
      assert.equal(ready.status, 0, ready.stdout + ready.stderr);
      assert.ok(
        !ready.stdout.includes(answer.env.CROSSDOCK_SIM_ODOO_HOOK_TOKEN!),
        'the hook token is never printed by check',
      );
    } finally {
      const ended = await sim.stop('SIGINT');
      assert.equal(ended.status, 0, ended.stderr);
    }
    assert.equal(
      await fetch(`${url}/web/webclient/version_info`, { method: 'POST' }).then(
        () => 'answered',
        () => 'closed',
      ),
      'closed',
    );
  });
});
