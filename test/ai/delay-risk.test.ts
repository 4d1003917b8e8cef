/**
 * Delay risk end to end: a whole Crossdock with the operations pack and the Odoo simulator
 * (the demo's data, plus deliveries written here as Odoo would hold them). The hourly
 * `delay-risk` pass keeps the validated deliveries as history and abstains before any
 * training; the nightly `delay-risk-retrain` learns that CargoPlus deliveries promised for a
 * Friday are late; the next pass flags the open one like them, logs every score, and raises
 * one case for the operations team, once. Odoo is only read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { after, before, test } from 'node:test';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { seedDemo, type DemoCatalog } from '../../src/demo/seed.ts';
import { simOdooConfig } from '../../src/demo/sim-config.ts';
import { ManualClock } from '../../src/engine/index.ts';
import { TEST_ODOO } from '../support/odoo-mode.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { fireSlot, HOUR, startOps, type OpsInstance } from '../operations/support.ts';

let t: TestStore<Reachable>;
let ops: OpsInstance;
let odoo: OdooSimulator;
let catalog: DemoCatalog;
let dir: string;
// A Monday, 01:50 UTC.
const clock = new ManualClock('2026-12-07T01:50:00Z');

type M2o = [number, string];

/** A delivery as Odoo holds it: promised for `promised` (YYYY-MM-DD), validated on `done` if given. */
async function delivery(origin: string, carrier: string, promised: string, done?: string) {
  const [type] = odoo.db.searchRead(
    'stock.picking.type',
    [['code', '=', 'outgoing']],
    ['default_location_src_id', 'default_location_dest_id'],
  );
  const from = (type!.default_location_src_id as M2o)[0];
  const to = (type!.default_location_dest_id as M2o)[0];
  const [carrierRow] = odoo.db.searchRead('delivery.carrier', [['name', '=', carrier]], ['name']);
  const id = (await odoo.db.call('stock.picking', 'create', [
    {
      origin,
      partner_id: catalog.customers[0]!.id,
      picking_type_id: type!.id,
      location_id: from,
      location_dest_id: to,
      carrier_id: carrierRow!.id,
      scheduled_date: `${promised} 08:00:00`,
      date_deadline: `${promised} 16:00:00`,
      move_ids: [
        [
          0,
          0,
          {
            name: origin,
            product_id: catalog.products[0]!.id,
            product_uom_qty: 1,
            location_id: from,
            location_dest_id: to,
          },
        ],
      ],
    },
  ])) as number;
  if (done)
    await odoo.db.call('stock.picking', 'write', [
      [id],
      { state: 'done', date_done: `${done} 15:00:00` },
    ]);
  return id;
}

const FRIDAYS = [
  '2026-10-02',
  '2026-10-09',
  '2026-10-16',
  '2026-10-23',
  '2026-10-30',
  '2026-11-06',
];
const TUESDAYS = [
  '2026-10-06',
  '2026-10-13',
  '2026-10-20',
  '2026-10-27',
  '2026-11-03',
  '2026-11-10',
];
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  t = await openTestStore({ onDisk: true });
  if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
  odoo = await startOdooSimulator({ version: TEST_ODOO.version });
  catalog = await seedDemo(odoo, { today: clock.now() });
  // The history: CargoPlus deliveries promised for a Friday go out on the Monday after (5 of
  // 6 each week); SwiftPost's promised for a Tuesday go out that day.
  let n = 0;
  for (const friday of FRIDAYS)
    for (let i = 0; i < 6; i++)
      await delivery(`H${n++}`, 'CargoPlus', friday, i === 0 ? friday : plusDays(friday, 3));
  for (const tuesday of TUESDAYS)
    for (let i = 0; i < 6; i++) await delivery(`H${n++}`, 'SwiftPost', tuesday, tuesday);
  // Open: one like the late ones, one like the punctual ones.
  await delivery('S-RISKY', 'CargoPlus', '2026-12-11');
  await delivery('S-SAFE', 'SwiftPost', '2026-12-08');

  dir = mkdtempSync(join(tmpdir(), 'crossdock-delay-risk-'));
  const file = simOdooConfig({
    odoo: {
      url: odoo.url,
      database: odoo.database,
      login: 'admin',
      apiKey: odoo.users[0]!.apiKeys[0]!,
    },
    publicUrl: 'http://127.0.0.1:1',
    apiKeyEnv: 'CROSSDOCK_DELAY_RISK_TEST_ODOO_KEY',
    tokenEnv: 'CROSSDOCK_DELAY_RISK_TEST_HOOK_TOKEN',
    token: 'a-hook-token-of-the-delay-risk-test',
    pollIntervalMs: 3_600_000,
    protocol: TEST_ODOO.protocol,
    version: odoo.version,
  });
  writeFileSync(join(dir, 'odoo.yaml'), file.yaml);
  Object.assign(process.env, file.env);
  ops = await startOps(t, clock, { CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml') });
});
after(async () => {
  await ops?.close();
  await odoo?.close();
  await t?.dispose().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Model calls the simulator served other than reads. */
const writesToOdoo = () =>
  odoo.calls.entries.filter(
    (c) =>
      c.model !== null && !['search_read', 'read', 'search', 'search_count'].includes(c.method),
  );

const delayCases = async () =>
  (
    await sql<{
      title: string;
      owner_team: string;
      details: {
        deliveries: { order: string; delivery: string; risk: number; reasons: string[] }[];
      };
    }>`SELECT title, owner_team, details FROM exception_cases WHERE error_code = 'DELAY_RISK' ORDER BY id`.execute(
      ops.crossdock.store.db,
    )
  ).rows;

test('the schedules are registered with the operations pack: hourly scoring at :40, nightly retraining at 03:25', () => {
  const byId = (id: string) => ops.crossdock.engine.catalog.current().find((w) => w.id === id);
  assert.equal(byId('delay-risk')?.definition.trigger?.schedule, '0 40 * * * *');
  assert.equal(byId('delay-risk-retrain')?.definition.trigger?.schedule, '0 25 3 * * *');
});

test('before any training every open delivery is scored as an abstention; the history is kept', async () => {
  odoo.calls.clear();
  clock.advance(51 * 60_000); // 02:41
  const run = await fireSlot(ops, 'delay-risk', '2026-12-07T02:40:00.000Z');
  const out = run.output as Record<string, number>;
  assert.ok(out.history_added! >= 72, `history added ${out.history_added}`);

  const list = await ops.crossdock.services.ai.delayRisk();
  assert.equal(list.deliveries.length, out.scored);
  // The demo's open deliveries promised in November have missed it already: flagged by rule.
  const overdue = list.deliveries.filter((d) => d.overdue);
  assert.ok(overdue.length > 0);
  for (const d of overdue) {
    assert.equal(d.risk, 1);
    assert.deepEqual(d.reasons, ['overdue']);
    assert.equal(d.model, 'crossdock-rules');
    assert.ok(d.promisedDate < '2026-12-07', d.promisedDate);
  }
  assert.equal(out.flagged, overdue.length);
  assert.equal(out.abstained, out.scored! - overdue.length);
  const risky = list.deliveries.find((d) => d.order === 'S-RISKY')!;
  assert.equal(risky.risk, null);
  assert.equal(risky.confidence, 0);
  assert.equal(risky.flagged, false);
  // The scheduler's first tick also ran the retraining's latest slot (yesterday's), on nothing.
  assert.match(risky.reason, /^abstains: the model was trained on 0 delivery\(ies\)/);

  const cases = await delayCases();
  assert.equal(cases.length, 1);
  assert.equal(cases[0]!.owner_team, 'operations');
  assert.deepEqual(
    cases[0]!.details.deliveries.map((d) => d.delivery).sort(),
    overdue.map((d) => d.picking).sort(),
  );
  assert.deepEqual(cases[0]!.details.deliveries[0]!.reasons, ['overdue']);
  assert.deepEqual(writesToOdoo(), [], 'the pass only reads Odoo');
});

test('the nightly retraining learns from the kept deliveries; the next pass flags the risky order and raises one case', async () => {
  clock.advance(45 * 60_000); // 03:26
  const trained = await fireSlot(ops, 'delay-risk-retrain', '2026-12-07T03:25:00.000Z');
  const summary = trained.output as {
    version: number;
    answers: boolean;
    sources: Record<string, number>;
  };
  assert.equal(summary.version, 2);
  assert.equal(summary.answers, true);
  assert.ok(summary.sources['odoo:odoo']! >= 72);

  odoo.calls.clear();
  clock.advance(15 * 60_000); // 03:41
  const run = await fireSlot(ops, 'delay-risk', '2026-12-07T03:40:00.000Z');
  assert.equal((run.output as { history_added: number }).history_added, 0, 'kept once');

  const list = await ops.crossdock.services.ai.delayRisk();
  assert.equal(list.threshold, 0.4);
  const risky = list.deliveries.find((d) => d.order === 'S-RISKY')!;
  const safe = list.deliveries.find((d) => d.order === 'S-SAFE')!;
  const risks = list.deliveries.map((d) => d.risk ?? -1);
  assert.deepEqual(
    risks,
    [...risks].sort((a, b) => b - a),
    'the riskiest first',
  );
  const overdue = list.deliveries.filter((d) => d.overdue).length;
  assert.equal(list.deliveries[overdue]!.order, 'S-RISKY', 'after the overdue ones');
  assert.ok(risky.risk! >= 0.4, `risk ${risky.risk}`);
  assert.equal(risky.flagged, true);
  assert.equal(risky.promisedDate, '2026-12-11');
  assert.equal(risky.model, 'crossdock-offline@2');
  assert.ok(risky.reasons.includes('carrier=cargoplus'), risky.reasons.join());
  assert.ok(risky.reasons.includes('weekday=fri'), risky.reasons.join());
  assert.ok(safe.risk! < 0.4 && safe.risk! < risky.risk!, `safe ${safe.risk}`);
  assert.equal(safe.flagged, false);

  // Every score is a row of the recommendation log.
  const logged = await ops.crossdock.services.ai.list({ use: 'delay_risk' }, 500);
  const ofPass = logged.filter((r) => r.runId === run.id);
  assert.equal(ofPass.length, list.deliveries.length);
  const row = ofPass.find((r) => (r.answer as { order: string }).order === 'S-RISKY')!;
  assert.equal(row.outcome, 'applied');
  assert.equal(row.answeredModel, 'crossdock-offline@2');
  assert.equal(row.confidence, risky.confidence);
  assert.match(row.inputHash, /^[0-9a-f]{64}$/);
  assert.match(JSON.stringify(row.prompt), /carrier=cargoplus\\nlane=wh>/);

  // One more case, for the newly flagged one only (the overdue ones were raised before).
  const cases = await delayCases();
  assert.equal(cases.length, 2);
  assert.equal(cases[1]!.owner_team, 'operations');
  assert.match(
    cases[1]!.title,
    /^1 open delivery at risk of missing the promised date: S-RISKY \(\d+%\)$/,
  );
  assert.deepEqual(
    cases[1]!.details.deliveries.map((d) => d.order),
    ['S-RISKY'],
  );
  assert.ok(cases[1]!.details.deliveries[0]!.reasons.includes('carrier=cargoplus'));
  assert.deepEqual(writesToOdoo(), [], 'nothing is written to Odoo on a score');
});

test('the next pass still flags it, but raises no second case', async () => {
  clock.advance(HOUR); // 04:41
  const run = await fireSlot(ops, 'delay-risk', '2026-12-07T04:40:00.000Z');
  const out = run.output as Record<string, number>;
  assert.ok(out.flagged! >= 1);
  assert.equal(out.newly_flagged, 0);
  assert.equal((await delayCases()).length, 2);
  const list = await ops.crossdock.services.ai.delayRisk();
  assert.equal(list.runId, run.id, 'the list is the newest pass');
});
