import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitForRun } from '../support/engine.ts';
import {
  builtDashboard,
  CREDIT,
  launchBrowser,
  loadWorkflows,
  SHIP,
  signIn,
  startInstance,
  type Instance,
} from './support.ts';

/** Waits up to an hour for the driver's pick-up signal. */
const PICKUP = `
id: pickup
trigger: { event: pickup.booked }
steps:
  - id: pickup
    type: wait
    with: { signal: picked-up, duration_ms: 3600000 }
  - id: done
    type: transform
    with: { by: "= steps.pickup.output.payload.by" }
`;

/** Waits a day before it listens for the signal: one sent earlier is kept for it. */
const LATER = `
id: pickup-later
trigger: { event: pickup.later }
steps:
  - id: cool-off
    type: wait
    with: { duration_ms: 86400000 }
  - id: pickup
    type: wait
    with: { signal: picked-up, duration_ms: 3600000 }
`;

/** The run page's "Signals and timers": what a parked run waits for, and every signal it was sent. */
describe('signals and timers on the run page', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    await loadWorkflows(x, [CREDIT, SHIP, PICKUP, LATER]);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('a run parked on a signal shows its timeout; the signal sent from outside is taken and the run completes', async () => {
    const runId = await x.send('pickup.booked', 'pickup-1', { ref: 'WH/OUT/00007' });
    // Signalling a run takes runs:signal: the administrator has it (operators replay and cancel).
    const { context, page } = await signIn(browser, x.base, x.users.admin);
    await page.goto(`/app/runs/${runId}`);
    const timer = page.locator('[data-timer="waiting"]');
    await timer.waitFor();
    assert.match(
      await timer.innerText(),
      /^Waiting at step pickup \(wait\): its timer fires at .+ \((59 min \d+ s|1 h 0 min) left\)\.$/,
    );
    await page.getByText('No signals were sent to this run.').waitFor();

    // The form names the signal the wait step listens for; the payload is checked as JSON.
    const form = page.getByRole('form', { name: 'Send a signal' });
    await page.waitForFunction(
      `document.querySelector('form[aria-label="Send a signal"] input')?.value === 'picked-up'`,
    );
    await form.getByLabel('Payload (JSON; null for none)').fill('{ "by": "driver 17", }');
    await form.getByText(/Not valid JSON/).waitFor();
    assert.equal(await form.getByRole('button', { name: 'Send signal' }).isDisabled(), true);
    await form.getByLabel('Payload (JSON; null for none)').fill('{ "by": "driver 17" }');
    await form.getByLabel('Reason').fill('driver called the desk');
    await form.getByRole('button', { name: 'Send signal' }).click();
    // The page follows the run until it ends.
    await page.locator('[data-run-status="completed"]').waitFor();
    await page
      .locator('[data-timer="completed"]')
      .getByText('No timer: the run is completed.')
      .waitFor();
    const signal = page
      .getByRole('table', { name: 'Signals' })
      .locator('[data-signal="picked-up"]');
    assert.match(
      await signal.innerText(),
      /picked-up\s.+\sstep pickup \(#0\)\s+\{"by":"driver 17"\}/,
    );
    assert.deepEqual((await x.engine.runs.show(runId)).output, { by: 'driver 17' });
    await context.close();
  });

  test('a signal sent before the run listens for it is shown as kept, next to the timer the run is parked on', async () => {
    const runId = await x.send('pickup.later', 'later-1', { ref: 'WH/OUT/00008' });
    await x.engine.runs.signal(runId, 'picked-up', { by: 'early driver' });
    await waitForRun(x.engine, runId, ['waiting']);
    const { context, page } = await signIn(browser, x.base, x.users.viewer);
    await page.goto(`/app/runs/${runId}`);
    assert.match(
      await page.locator('[data-timer="waiting"]').innerText(),
      /^Waiting at step cool-off \(wait\): its timer fires at .+ \((23 h 59 min|1 d)/,
    );
    assert.match(await page.getByLabel('What the waiting step keeps').innerText(), /"deadline": "/);
    assert.match(
      await page
        .getByRole('table', { name: 'Signals' })
        .locator('[data-signal="picked-up"]')
        .innerText(),
      /kept until a step takes it/,
    );
    assert.equal(
      await page.getByRole('form', { name: 'Send a signal' }).count(),
      0,
      'a viewer cannot signal',
    );
    await context.close();
  });
});
