/**
 * `crossdock ai train delay_risk`, `ai eval delay_risk` and `ai risk`, run as a person runs
 * them (a child process) on the store under test, with the shipped labelled sets: the model
 * abstains before training, answers after it with the figures docs/AI.md records, and a bad
 * line is named by file, line and field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

let t: TestStore<Reachable>;
let dir: string;
let env: Record<string, string>;
const TRAIN = 'ai/eval/delay-risk-train.jsonl';
const CASES = 'ai/eval/delay-risk-cases.jsonl';

before(async () => {
  t = await openTestStore({ onDisk: true });
  if (t.connection.kind === 'pglite') await t.store.close(); // the commands open the directory
  dir = mkdtempSync(join(tmpdir(), 'crossdock-delay-cli-'));
  env = {
    ...(t.connection.kind === 'postgres'
      ? { DATABASE_URL: t.connection.url }
      : { CROSSDOCK_DATA_DIR: t.connection.dataDir }),
    CROSSDOCK_STATE_DIR: dir,
  };
});
after(async () => {
  await t?.dispose().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('before any training the model abstains on every delivery, and no pass has scored yet', async () => {
  const r = await runCrossdock(
    ['ai', 'eval', 'delay_risk', '--set', CASES, '--json'],
    env,
    120_000,
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.model, 'crossdock-offline');
  assert.equal(report.cases, 300);
  assert.equal(report.abstained, 300);
  assert.equal(report.accuracy, 0);
  assert.equal(report.coverage, 0);

  const risk = await runCrossdock(['ai', 'risk'], env, 120_000);
  assert.equal(risk.status, 0, risk.stderr);
  assert.match(risk.stdout, /no delay-risk pass has run yet/);
});

test('trained from the shipped history, it is measured on the held-out set as docs/AI.md records', async () => {
  const trained = await runCrossdock(
    ['ai', 'train', 'delay_risk', '--set', TRAIN, '--json'],
    env,
    120_000,
  );
  assert.equal(trained.status, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout);
  assert.equal(summary.version, 1);
  assert.equal(summary.imported, 600);
  assert.deepEqual(summary.sources, { [TRAIN]: 600 });
  assert.equal(summary.answers, true);
  assert.deepEqual(
    summary.classes.map((c: { label: string }) => c.label),
    ['late', 'on_time'],
  );

  const r = await runCrossdock(['ai', 'eval', 'delay_risk', '--set', CASES], env, 120_000);
  assert.equal(r.status, 0, r.stderr);
  // The lines docs/AI.md shows, figure for figure.
  assert.match(
    r.stdout,
    /^delay_risk on ai\/eval\/delay-risk-cases.jsonl: 300 delivery\(ies\), 52 late, model crossdock-offline@1$/m,
  );
  assert.match(r.stdout, /^accuracy 8\d\.\d% \(\d+\/300 right at risk 0\.5; 0 abstained\)$/m);
  assert.match(r.stdout, /^flagged at risk >= 0\.4: \d+, of them late \d+/m);
  assert.match(r.stdout, /^late +52 /m);

  const json = await runCrossdock(
    ['ai', 'eval', 'delay_risk', '--set', CASES, '--threshold', '0.5', '--json'],
    env,
    120_000,
  );
  const report = JSON.parse(json.stdout);
  assert.equal(report.threshold, 0.5);
  assert.equal(report.correct, Math.round(report.accuracy * 300));
  const late = report.classes.find((c: { label: string }) => c.label === 'late');
  assert.equal(late.support, 52);
  assert.equal(
    report.flagged.count,
    late.predicted,
    'at 0.5 the flagged ones are those answered late',
  );
  assert.equal(
    report.calibration.reduce((n: number, b: { cases: number }) => n + b.cases, 0),
    300,
  );
  assert.ok(report.brier < 0.145, `Brier ${report.brier}`);
});

test('a bad line of a set of deliveries is named by file, line and field', async () => {
  const file = join(dir, 'bad.jsonl');
  writeFileSync(
    file,
    [
      '{"carrier":"swiftpost","warehouse":"WH","country":"DE","zip":"10115","promised":"2026-11-06","category":null,"backlog":3,"late":false}',
      '{"carrier":"swiftpost","warehouse":"WH","country":"Germany","zip":"10115","promised":"2026-11-31","category":null,"backlog":3}',
    ].join('\n'),
  );
  const r = await runCrossdock(['ai', 'eval', 'delay_risk', '--set', file], env, 120_000);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /AI_SET_INVALID/);
  assert.match(r.stderr, /bad\.jsonl:2 country: an ISO country code/);
  assert.match(r.stderr, /bad\.jsonl:2 promised: a date YYYY-MM-DD/);
  assert.match(r.stderr, /bad\.jsonl:2 late: /);
});
