import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../../src/engine/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { startTestApi, type TestApi } from './support.ts';

/** Version 1: label with slow-co, wait for "go", then say which carrier. */
const V1 = `
id: pack-ship
version: 1
description: Label a parcel and ship it when told
trigger: { event: parcel.ready }
steps:
  - id: label
    type: transform
    with: { carrier: slow-co }
  - id: hold
    type: wait
    with: { signal: go }
  - id: done
    type: transform
    with: { shipped: "= 'shipped with ' & steps.label.output.carrier" }
`;

/** The editor's change: another carrier, and no wait. */
const EDITED = `# edited in the dashboard
id: pack-ship
version: 2
description: Label a parcel and ship it at once
trigger: { event: parcel.ready }
steps:
  - id: label
    type: transform
    with: { carrier: fast-co }
  - id: done
    type: transform
    with: { shipped: "= 'shipped with ' & steps.label.output.carrier" }
`;

/** Line 9 sends "label" to a step that does not exist. */
const BROKEN = `id: pack-ship
version: 3
trigger: { event: parcel.ready }
steps:
  - id: label
    type: transform
    with: { carrier: fast-co }
    next: nowhere
  - id: done
    type: log
    with: { message: hi }
`;

describe('workflow editor over the API: validate, dry-run a draft, save a new version', () => {
  let h: TestApi;
  let admin = '';
  let integrator = '';
  let viewer = '';
  let operator = '';
  let v1 = '';
  let v2 = '';
  let waitingRun = '';
  let other: Engine;
  let stale: Engine;

  const send = async (key: string) => {
    const { runIds } = await h.engine.accept({
      source: 'shop',
      type: 'parcel.ready',
      key,
      payload: { ref: key },
    });
    return runIds[0]!;
  };
  const save = (token: string, yaml: string, baseVersion: string) =>
    h.request('POST', '/api/v1/workflows/pack-ship/versions', {
      token,
      body: { yaml, baseVersion },
    });

  before(async () => {
    h = await startTestApi({ workflows: [V1] });
    // Another process on the same store, started before the save (a second worker, say).
    other = await engineWith(h.t.store, [V1]);
    stale = await engineWith(h.t.store, [V1]);
    admin = await h.tokenFor('admin');
    integrator = await h.tokenFor('integrator');
    viewer = await h.tokenFor('viewer');
    operator = await h.tokenFor('operator');
    v1 = h.engine.catalog.currentVersion('pack-ship')!.hash;
    h.engine.startWorkers(1);
    waitingRun = await send('P-1');
    await waitForRun(h.engine, waitingRun, ['waiting']);
  });
  after(async () => {
    await h?.close();
  });

  test('GET .../yaml gives the current version as YAML that loads to the same version', async () => {
    const answer = await h.request('GET', `/api/v1/workflows/pack-ship/versions/${v1}/yaml`, {
      token: viewer,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.version, v1);
    // The test's file is not on disk: the stored definition, written as YAML.
    assert.equal(answer.body.source, 'definition');
    const again = parseWorkflow(answer.body.yaml, 'x.yaml', h.engine.steps);
    assert.ok(again.ok && again.workflows[0]!.hash === v1, answer.body.yaml);
    const unknown = await h.request('GET', '/api/v1/workflows/pack-ship/versions/nope/yaml', {
      token: viewer,
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'WORKFLOW_VERSION_UNKNOWN');
  });

  test('validate names the line and path of a problem; a draft dry-runs before it is saved', async () => {
    const checked = await h.request('POST', '/api/v1/workflows/validate', {
      token: integrator,
      body: { yaml: BROKEN },
    });
    assert.equal(checked.body.ok, false);
    assert.deepEqual(
      checked.body.problems.map((p: any) => [p.line, p.path]),
      [[8, 'steps[0].next']],
    );
    const dry = await h.request('POST', '/api/v1/workflows/pack-ship/simulate', {
      token: integrator,
      body: {
        yaml: EDITED,
        event: { source: 'shop', type: 'parcel.ready', key: 'd', payload: {} },
      },
    });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.deepEqual(
      dry.body.steps.map((s: any) => s.stepId),
      ['label', 'done'],
    );
    assert.equal(dry.body.steps[1].output.shipped, 'shipped with fast-co');
    const bad = await h.request('POST', '/api/v1/workflows/pack-ship/simulate', {
      token: integrator,
      body: {
        yaml: BROKEN,
        event: { source: 'shop', type: 'parcel.ready', key: 'd', payload: {} },
      },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'WORKFLOWS_INVALID');
    // Nothing was stored by either.
    assert.equal(h.engine.catalog.currentVersion('pack-ship')!.hash, v1);
  });

  test('saving needs workflows:write: viewers and operators get 403, and nothing is stored', async () => {
    for (const token of [viewer, operator]) {
      const answer = await save(token, EDITED, v1);
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, 'FORBIDDEN');
      assert.match(answer.body.error.message, /workflows:write/);
    }
    assert.equal((await h.engine.catalog.versions('pack-ship')).length, 1);
  });

  test('bad YAML is refused with 400 naming its line and path; another workflow id too', async () => {
    const broken = await save(admin, BROKEN, v1);
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error.code, 'WORKFLOWS_INVALID');
    assert.deepEqual(
      broken.body.error.details.map((d: any) => d.path),
      ['test-0.yaml:8 steps[0].next'],
    );
    const syntax = await save(admin, 'id: pack-ship\nsteps: [\n', v1);
    assert.equal(syntax.status, 400);
    assert.match(syntax.body.error.details[0].path, /^test-0\.yaml:\d+$/);
    assert.match(syntax.body.error.details[0].message, /YAML syntax/);
    const renamed = await save(admin, EDITED.replace('id: pack-ship', 'id: other'), v1);
    assert.equal(renamed.status, 400);
    assert.equal(renamed.body.error.details[0].path, 'test-0.yaml id');
    assert.equal((await h.engine.catalog.versions('pack-ship')).length, 1);
  });

  test('a saved version is current for new runs; the running run keeps its version', async () => {
    const answer = await save(integrator, EDITED, v1);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    v2 = answer.body.version;
    assert.equal(answer.body.previous, v1);
    assert.notEqual(v2, v1);
    const versions = (
      await h.request('GET', '/api/v1/workflows/pack-ship/versions', { token: viewer })
    ).body.versions;
    assert.deepEqual(
      versions.map((v: any) => [v.hash, v.current, v.edited]),
      [
        [v2, true, true],
        [v1, false, false],
      ],
    );
    const fresh = await send('P-2');
    const done = await waitForRun(h.engine, fresh);
    assert.equal(done.workflowVersion, v2);
    assert.deepEqual(done.output, { shipped: 'shipped with fast-co' });
    await h.engine.runs.signal(waitingRun, 'go', {});
    const old = await waitForRun(h.engine, waitingRun);
    assert.equal(old.workflowVersion, v1);
    assert.deepEqual(old.output, { shipped: 'shipped with slow-co' });
  });

  test('the save is audited: who, which workflow, from which version to which, the text hash', async () => {
    const [entry] = await h.services.audit.list({ action: 'workflow.version.save' });
    assert.ok(entry);
    assert.match(entry.actor, /integrator@test\.example/);
    assert.equal(entry.target, 'workflow:pack-ship');
    assert.equal(entry.details.from, v1);
    assert.equal(entry.details.to, v2);
    assert.equal(entry.details.textSha256, createHash('sha256').update(EDITED).digest('hex'));
    assert.equal((await h.services.audit.verify()).ok, true);
  });

  test('the saved text is what GET .../yaml gives back, comments and all', async () => {
    const answer = await h.request('GET', `/api/v1/workflows/pack-ship/versions/${v2}/yaml`, {
      token: viewer,
    });
    assert.equal(answer.body.source, 'editor');
    assert.equal(answer.body.yaml, EDITED);
  });

  test('a save from a version that is no longer current is refused with 409', async () => {
    const stale = await save(admin, EDITED.replace('fast-co', 'other-co'), v1);
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'WORKFLOW_VERSION_CONFLICT');
    const same = await save(admin, EDITED, v2);
    assert.equal(same.status, 200);
    assert.equal(same.body.created, false);
  });

  test('other processes take the saved version; a restart keeps it until the files change', async () => {
    assert.equal(other.catalog.currentVersion('pack-ship')!.hash, v1);
    await other.catalog.syncEdits();
    assert.equal(other.catalog.currentVersion('pack-ship')!.hash, v2);
    // A process that has not looked yet cannot save over the saved version: it is refused, then takes it.
    const parsed = parseWorkflow(EDITED.replace('fast-co', 'stale-co'), 'x.yaml', h.engine.steps);
    assert.ok(parsed.ok);
    await assert.rejects(
      stale.catalog.saveEdit(parsed.workflows[0]!, 'text', 'user:9 x', new Date(), async () => {}),
      { code: 'WORKFLOW_VERSION_CONFLICT' },
    );
    assert.equal(stale.catalog.currentVersion('pack-ship')!.hash, v2);
    assert.equal((await h.engine.catalog.versions('pack-ship')).length, 2, 'nothing stored');
    const restarted = await engineWith(h.t.store, [V1]);
    assert.equal(restarted.catalog.currentVersion('pack-ship')!.hash, v2);
    const deployed = await engineWith(h.t.store, [V1.replace('slow-co', 'new-co')]);
    const fileVersion = deployed.catalog.currentVersion('pack-ship')!;
    assert.notEqual(fileVersion.hash, v2);
    assert.equal(fileVersion.stepsById.get('label')!.with.carrier, 'new-co');
  });

  test("a version loaded from a file shows the file's own text while the file holds it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-editor-'));
    try {
      const file = join(dir, 'pack-ship.yaml');
      writeFileSync(file, `# packed and shipped\n${V1}`);
      const parsed = parseWorkflow(`# packed and shipped\n${V1}`, file, h.engine.steps);
      assert.ok(parsed.ok && parsed.workflows[0]!.hash === v1);
      await h.engine.installWorkflows(parsed.workflows);
      const yaml = () =>
        h.request('GET', `/api/v1/workflows/pack-ship/versions/${v1}/yaml`, { token: viewer });
      assert.deepEqual(
        [(await yaml()).body.source, (await yaml()).body.yaml],
        ['file', `# packed and shipped\n${V1}`],
      );
      // The file moved on: its text is another version's, so the stored definition is shown.
      writeFileSync(file, V1.replace('slow-co', 'changed-co'));
      assert.equal((await yaml()).body.source, 'definition');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
