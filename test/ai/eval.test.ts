/**
 * `crossdock ai eval` and `crossdock ai train`, run as a person runs them (a child process):
 * on a small labelled set whose answers are known (the simulator answers by the case's code,
 * so every figure is worked out below from the table, by hand), and with the offline model on
 * the store under test, trained from a file first.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAiSimulator, type AiSimulator } from '../../sim/ai/index.ts';
import { runCrossdock } from '../support/cli.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

const KEY = 'sk-eval-test-0123456789abcdef';
let sim: AiSimulator;
let t: TestStore<Reachable>;
let dir: string;

/** What the simulated provider answers, by the case's code. */
const ANSWERS: Record<string, [category: string, team: string, confidence: number]> = {
  LATE_TRUCK: ['carrier_delay', 'logistics', 0.9],
  DELIVERY_REFUSED: ['address_problem', 'customer_service', 0.6],
  CREDIT_HOLD: ['credit_hold', 'finance', 0.95],
  STOCK_HOLD: ['credit_hold', 'finance', 0.75],
};

/** The set: line, code, and the label a person gave. */
const SET: [code: string, category: string, team: string][] = [
  ['LATE_TRUCK', 'carrier_delay', 'logistics'], //            1: right, 0.9 (automatic)
  ['LATE_TRUCK', 'carrier_delay', 'customer_service'], //     2: team wrong, 0.9 (automatic, wrong)
  ['DELIVERY_REFUSED', 'address_problem', 'customer_service'], // 3: right, 0.6 (a person)
  ['DELIVERY_REFUSED', 'address_problem', 'customer_service'], // 4: right, 0.6 (a person)
  ['CREDIT_HOLD', 'credit_hold', 'finance'], //               5: right, 0.95 (automatic)
  ['STOCK_HOLD', 'stock_shortage', 'purchasing'], //          6: wrong, 0.75 (automatic, wrong)
  ['STOCK_HOLD', 'stock_shortage', 'purchasing'], //          7: wrong, 0.75 (automatic, wrong)
  ['CREDIT_HOLD', 'credit_hold', 'finance'], //               8: right, 0.95 (automatic)
];

function writeSet(name: string, rows: [string, string, string][]): string {
  const file = join(dir, name);
  const lines = rows.map(([code, category, team], i) =>
    JSON.stringify({ title: `Case ${i + 1} of order SO00${i + 10}`, code, category, team }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const storeEnv = (): Record<string, string> =>
  t.connection.kind === 'postgres'
    ? { DATABASE_URL: t.connection.url }
    : { CROSSDOCK_DATA_DIR: t.connection.dataDir };

before(async () => {
  [sim, t] = await Promise.all([
    startAiSimulator({ apiKey: KEY }),
    openTestStore({ onDisk: true }),
  ]);
  if (t.connection.kind === 'pglite') await t.store.close(); // the commands open the directory
  dir = mkdtempSync(join(tmpdir(), 'crossdock-ai-eval-'));
  for (const [code, [category, team, confidence]] of Object.entries(ANSWERS))
    sim.rules.push({
      match: new RegExp(`code: ${code}`),
      answer: { category, team, action: 'x', confidence, reason: 'y' },
    });
});
after(async () => {
  await sim?.close();
  await t?.dispose().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('eval against an OpenAI-compatible provider: accuracy, per-class precision and recall, coverage and error rate at the threshold', async () => {
  const file = writeSet('known.jsonl', SET);
  const env = {
    ...storeEnv(),
    CROSSDOCK_STATE_DIR: dir,
    CROSSDOCK_AI_URL: sim.url,
    CROSSDOCK_AI_MODEL: 'sim-triage-1',
    CROSSDOCK_AI_API_KEY: KEY,
  };
  const args = ['ai', 'eval', 'exception_triage', '--set', file, '--threshold', '0.7'];
  const json = await runCrossdock([...args, '--json'], env, 120_000);
  assert.equal(json.status, 0, json.stderr);
  const r = JSON.parse(json.stdout);
  assert.equal(r.cases, 8);
  assert.equal(r.model, 'sim-triage-1');
  // Right (category and team): lines 1, 3, 4, 5, 8.
  assert.equal(r.correct, 5);
  assert.equal(r.accuracy, 5 / 8);
  // At 0.7: lines 1, 2, 5, 6, 7, 8 are decided automatically; 2, 6 and 7 of them wrongly.
  assert.equal(r.automatic, 6);
  assert.equal(r.coverage, 6 / 8);
  assert.equal(r.automaticWrong, 3);
  assert.equal(r.errorRate, 3 / 6);
  assert.equal(r.precisionAtThreshold, 1 - 3 / 6);
  assert.deepEqual(
    r.automaticMistakes.map((m: { line: number }) => m.line),
    [2, 6, 7],
  );
  const figures = (list: { label: string; precision: number | null; recall: number | null }[]) =>
    Object.fromEntries(list.map((c) => [c.label, [c.precision, c.recall]]));
  assert.deepEqual(figures(r.categories), {
    address_problem: [2 / 2, 2 / 2], // 3, 4
    carrier_delay: [2 / 2, 2 / 2], //   1, 2 (the category is right on 2)
    credit_hold: [2 / 4, 2 / 2], //     answered on 5, 6, 7, 8; right on 5, 8
    stock_shortage: [null, 0 / 2], //   never answered
  });
  assert.deepEqual(figures(r.teams), {
    customer_service: [2 / 2, 2 / 3], // labelled 2, 3, 4; answered 3, 4
    finance: [2 / 4, 2 / 2],
    logistics: [1 / 2, 1 / 1], //       answered 1, 2; labelled 1
    purchasing: [null, 0 / 2],
  });
  assert.equal(sim.requests.total, 8);

  const human = await runCrossdock(args, env, 120_000);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /accuracy 62\.5% \(5\/8 /);
  assert.match(
    human.stdout,
    /at threshold 0\.7: coverage 75\.0% \(6\/8 decided automatically\), error rate 50\.0% \(3 wrong\), precision 50\.0%/,
  );
  assert.match(human.stdout, /credit_hold\s+2\s+4\s+2\s+50\.0%\s+100\.0%/);
});

test('a bad line of a set is named by file, line and field', async () => {
  const file = join(dir, 'bad.jsonl');
  writeFileSync(
    file,
    '{"title":"ok","category":"a","team":"b"}\n{"title":"x","category":"Bad Name","team":"b"}\nnot json\n',
  );
  const r = await runCrossdock(
    ['ai', 'eval', 'exception_triage', '--set', file],
    { ...storeEnv(), CROSSDOCK_STATE_DIR: dir },
    120_000,
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /AI_SET_INVALID/);
  assert.match(r.stderr, /bad\.jsonl:2 category: lower case letters/);
  assert.match(r.stderr, /bad\.jsonl:3: not a JSON object/);
});

test('ai train from a file, then eval with the offline model (the default): it cannot name a class it never saw', async () => {
  const kinds: [string, string, string][] = [
    ['LATE_TRUCK', 'carrier_delay', 'logistics'],
    ['DELIVERY_REFUSED', 'address_problem', 'customer_service'],
    ['CREDIT_HOLD', 'credit_hold', 'finance'],
  ];
  const history = writeSet(
    'history.jsonl',
    Array.from({ length: 24 }, (_, i) => kinds[i % 3]!),
  );
  const env = { ...storeEnv(), CROSSDOCK_STATE_DIR: dir };
  const asked = sim.requests.total;
  const trained = await runCrossdock(['ai', 'train', '--set', history, '--json'], env, 120_000);
  assert.equal(trained.status, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout);
  assert.equal(summary.version, 1);
  assert.equal(summary.imported, 24);
  assert.equal(summary.examples, 24);
  assert.equal(summary.answers, true);

  // Two of each trained kind, and two stock holds the model never saw.
  const file = writeSet('offline.jsonl', [
    ...kinds,
    ...kinds,
    ['STOCK_HOLD', 'stock_shortage', 'purchasing'],
    ['STOCK_HOLD', 'stock_shortage', 'purchasing'],
  ]);
  const r = await runCrossdock(
    ['ai', 'eval', 'exception_triage', '--set', file, '--json'],
    env,
    120_000,
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.model, 'crossdock-offline@1');
  assert.equal(report.cases, 8);
  assert.equal(report.abstained, 0);
  assert.equal(report.correct, 6);
  assert.equal(report.accuracy, 6 / 8);
  const stock = report.categories.find((c: { label: string }) => c.label === 'stock_shortage');
  assert.deepEqual([stock.support, stock.predicted, stock.recall], [2, 0, 0]);
  assert.equal(report.coverage, report.automatic / 8);
  assert.equal(sim.requests.total, asked, 'the offline model asked no provider');
});
