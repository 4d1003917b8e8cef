import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { runCrossdock } from '../support/cli.ts';

const ON_CONFIRMED = `
id: on-confirmed
trigger: { event: sale.order.confirmed, source: odoo }
steps:
  - id: note
    type: transform
    with: { id: "= input.id", via: "= input.via" }
`;

/** `crossdock odoo backfill` as an operator runs it, against a simulator holding orders confirmed on three days. */
describe('crossdock odoo backfill', () => {
  let sim: OdooSimulator;
  let dir: string;
  let odooNowMs = 0;
  const byDay: number[][] = [];
  const run = (...args: string[]) =>
    runCrossdock(args, {
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
      CROSSDOCK_DATA_DIR: join(dir, 'data'),
      CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
      ODOO_API_KEY: 'sim-admin-api-key',
      ODOO_HOOK_TOKEN: 'cli-backfill-token-0123456789abcdef',
    });

  before(async () => {
    sim = await startOdooSimulator({ clock: () => new Date(odooNowMs) });
    for (const day of ['2026-12-01', '2026-12-02', '2026-12-03']) {
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        odooNowMs = Date.parse(`${day}T08:00:00Z`) + i * 1000;
        const id = (await sim.db.call('sale.order', 'create', [
          { partner_id: 10, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
        ])) as number;
        await sim.db.call('sale.order', 'action_confirm', [[id]]);
        ids.push(id);
      }
      byDay.push(ids);
    }
    dir = mkdtempSync(join(tmpdir(), 'crossdock-backfill-cli-'));
    mkdirSync(join(dir, 'workflows'));
    writeFileSync(join(dir, 'workflows', 'on-confirmed.yaml'), ON_CONFIRMED);
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
      - { model: sale.order, event: sale.order.confirmed, domain: [[state, "=", sale]], fields: [name, state], rule: { state: sale } }
`,
    );
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    'the first poll takes in nothing; backfill emits the window once, and nothing new when run again',
    { timeout: 120_000 },
    async () => {
      const poll = await run('odoo', 'poll', '--json');
      assert.equal(poll.status, 0, poll.stderr);
      assert.equal(JSON.parse(poll.stdout).polled[0].result.emitted, 0);

      const first = await run(
        'odoo',
        'backfill',
        '--since',
        '2026-12-02',
        '--until',
        '2026-12-03T00:00:00Z',
        '--source',
        'odoo',
        '--event',
        'sale.order.confirmed',
      );
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /2026-12-02 00:00:00 <= write_date < 2026-12-03 00:00:00 \(UTC\)/);
      assert.match(first.stdout, /odoo\s+sale\.order\.confirmed\s+4\s+0/);
      const again = await run(
        'odoo',
        'backfill',
        '--since',
        '2026-12-02 00:00',
        '--until',
        '2026-12-03T01:00:00+01:00',
        '--json',
      );
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(JSON.parse(again.stdout).results, [
        { source: 'odoo', event: 'sale.order.confirmed', emitted: 0, duplicates: 4 },
      ]);

      const store = await openStore({
        kind: 'pglite',
        dataDir: join(dir, 'data'),
        synchronous: false,
        vacuumIntervalMs: 3_600_000,
      });
      try {
        const runs = await store.db
          .selectFrom('runs')
          .select('input')
          .where('workflow_id', '=', 'on-confirmed')
          .execute();
        assert.deepEqual(
          runs.map((r) => (r.input as { id: number }).id).sort((a, b) => a - b),
          byDay[1],
          'one run for each order of 2 December, none for the other days',
        );
      } finally {
        await store.close();
      }
    },
  );

  test('a missing or unreadable --since is a usage error that says what to give', async () => {
    const missing = await run('odoo', 'backfill');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /crossdock odoo backfill --since <datetime>/);
    const bad = await run('odoo', 'backfill', '--since', 'yesterday');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--since: "yesterday" is not a date and time; give YYYY-MM-DD/);
  });
});
