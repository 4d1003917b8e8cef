import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitForRun } from '../support/engine.ts';
import { builtDashboard, launchBrowser, signIn, startInstance, type Instance } from './support.ts';

/** The run page's replay form: before replaying, each side effect says whether it repeats or acts again. */
describe('the replay form lists the side effects a replay re-runs', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('a cancelled run waiting on its approval: the approval repeats unless its box is ticked; the replay goes back to it', async () => {
    const runId = await x.send('credit.review', 'credit-replay-1', {
      id: 41,
      name: 'SO041',
      requester: 'sam@acme.test',
      amount: 12_000,
    });
    await x.engine.runs.cancel(runId, 'entered twice');
    const { context, page } = await signIn(browser, x.base, x.users.operator);
    await page.goto(`/app/runs/${runId}`);
    await page.locator('[data-run-status="cancelled"]').waitFor();
    const form = page.getByRole('form', { name: 'Replay' });
    const effect = form.locator('[data-effect="approve"]');
    await effect.waitFor();
    assert.match(
      await effect.innerText(),
      /act again: approve \(approval\) same key: the external system will see a repeat and ignore it/,
    );
    await effect.getByRole('checkbox').check();
    await form.locator('[data-effect="approve"][data-outcome="again"]').waitFor();
    assert.match(await effect.innerText(), /new key: acts again/);
    await effect.getByRole('checkbox').uncheck();
    await form.locator('[data-effect="approve"][data-outcome="repeat"]').waitFor();
    await form.getByLabel('Reason').fill('not a duplicate after all');
    await form.getByRole('button', { name: 'Replay run' }).click();
    await page.locator('[data-run-status="waiting"]').waitFor();
    const run = await waitForRun(x.engine, runId, ['waiting']);
    assert.deepEqual(
      run.signals.map((s) => [s.name, s.payload]),
      [['crossdock:replay', { fromStep: 'approve', stoppedAt: 'approve', again: [] }]],
    );
    await context.close();
  });
});
