/**
 * Training and evaluation through the API of a running Crossdock (what `crossdock ai train` and
 * `crossdock ai eval` do), for administrators only, audited, with a clear error for an unknown
 * use, a set that is not one of the shipped ones (no path reaches another file) and a set of
 * the wrong kind. The built-in offline model, on both stores.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/engine/index.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { startOps, type OpsInstance } from '../operations/support.ts';

let t: TestStore<Reachable>;
let ops: OpsInstance;
let base: string;
let close: () => Promise<unknown>;
const tokens: Record<string, string> = {};

before(async () => {
  t = await openTestStore({ onDisk: true });
  if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
  ops = await startOps(t, new ManualClock('2026-03-02T09:00:00Z'), {});
  const { api, url } = await ops.crossdock.listen({ port: 0 });
  base = url;
  close = () => api.close();
  const { users, tokens: issued } = ops.crossdock.services;
  for (const role of ['admin', 'operator'] as const) {
    await users.create({ email: `${role}@acme.test`, role, password: 'a long enough password' });
    const user = (await users.findByEmail(`${role}@acme.test`))!;
    tokens[role] = (await issued.create({ id: user.id, role }, { name: role }, null)).token;
  }
});
after(async () => {
  await close?.();
  await ops?.close();
  await t?.dispose().catch(() => undefined);
});

async function post(role: string, path: string, body: unknown) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test('an administrator trains the triage model from a shipped set, then evaluates it; audited', async () => {
  const refused = await post('operator', '/ai/train', { use: 'exception_triage' });
  assert.equal(refused.status, 403);

  const trained = await post('admin', '/ai/train', {
    use: 'exception_triage',
    set: 'triage-train.jsonl',
  });
  assert.equal(trained.status, 200, JSON.stringify(trained.body));
  assert.equal(trained.body.version, 1);
  assert.equal(trained.body.imported, 184);
  assert.equal(trained.body.sources.file, 184);
  assert.equal(trained.body.answers, true);

  const report = await post('admin', '/ai/eval', {
    use: 'exception_triage',
    set: 'triage-cases.jsonl',
    threshold: 0.8,
  });
  assert.equal(report.status, 200, JSON.stringify(report.body));
  assert.equal(report.body.model, 'crossdock-offline@1');
  assert.equal(report.body.cases, 92);
  assert.ok(report.body.accuracy > 0.5, `accuracy ${report.body.accuracy}`);

  const audit = await ops.crossdock.services.audit.list({ action: 'ai' });
  assert.deepEqual(
    audit.filter((e) => e.action === 'ai.train' || e.action === 'ai.eval').map((e) => e.action),
    ['ai.train', 'ai.eval'],
  );
  assert.match(String(audit[0]!.actor), /admin@acme\.test/);
});

test('an unknown use, a set that is not shipped, or a set of the wrong kind is refused, naming it', async () => {
  const use = await post('admin', '/ai/eval', { use: 'sentiment', set: 'triage-cases.jsonl' });
  assert.equal(use.status, 400);
  assert.equal(use.body.error.code, 'REQUEST_INVALID');
  assert.deepEqual(
    use.body.error.details.map((d: { path: string }) => d.path),
    ['body.use'],
  );
  for (const set of ['../../package.json', 'nope.jsonl', '/etc/passwd']) {
    const r = await post('admin', '/ai/eval', { use: 'exception_triage', set });
    assert.equal(r.status, 400, set);
    assert.equal(r.body.error.code, 'AI_SET_INVALID', set);
    assert.equal(r.body.error.details[0].path, 'body.set');
    assert.match(r.body.error.details[0].message, /must be one of .*triage-cases\.jsonl/);
  }
  const kind = await post('admin', '/ai/eval', { use: 'delay_risk', set: 'triage-cases.jsonl' });
  assert.equal(kind.status, 400);
  assert.equal(kind.body.error.code, 'AI_SET_INVALID');
});
