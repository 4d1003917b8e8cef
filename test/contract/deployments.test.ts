/**
 * Workflow deployments in the audit log: each workflow whose version differs from the last one
 * recorded gets one `workflow.deploy` entry naming the previous version; the same files loaded
 * again record nothing; two processes starting at once record each deployment once; and the
 * chain still verifies.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuditLog, recordDeployments } from '../../src/audit/index.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

let t: TestStore;
before(async () => {
  t = await openTestStore();
});
after(() => t?.dispose());

const workflows = (versionOf: (i: number) => string) =>
  Array.from({ length: 40 }, (_, i) => ({
    id: `wf-${i}`,
    version: versionOf(i),
    file: `packs/wf-${i}.yaml`,
  }));

test('each changed workflow is recorded once, with the version it replaced; the chain verifies', async () => {
  const audit = new AuditLog(t.store.db, () => new Date());
  const record = (list: ReturnType<typeof workflows>, actor: string) =>
    recordDeployments(audit, t.store.db, list, actor);
  const first = workflows(() => 'v1');
  // Two processes starting at once on the same store.
  const counts = await Promise.all([record(first, 'system a'), record(first, 'system b')]);
  assert.equal(counts[0]! + counts[1]!, 40, `recorded ${counts.join(' + ')}`);
  assert.equal(await record(first, 'system a'), 0, 'the same files again record nothing');
  const changed = workflows((i) => (i % 10 === 0 ? 'v2' : 'v1'));
  assert.equal(await record(changed, 'system a'), 4);

  const entries = await audit.list({ action: 'workflow.deploy', limit: 500 });
  assert.equal(entries.length, 44);
  assert.deepEqual(
    entries
      .filter((e) => e.target === 'workflow:wf-10')
      .map((e) => [e.details.previous, e.details.version]),
    [
      [null, 'v1'],
      ['v1', 'v2'],
    ],
  );
  const verified = await audit.verify();
  assert.equal(verified.ok, true, JSON.stringify(verified));
  assert.equal(verified.entries, 44);
});
