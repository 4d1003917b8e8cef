import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityProblems } from './axe.ts';
import {
  builtDashboard,
  launchBrowser,
  PASSWORD,
  signIn,
  startInstance,
  type Instance,
} from './support.ts';

/** Line of the first occurrence of `needle` in `text`, counted from 1. */
const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((line) => line.includes(needle)) + 1;

/**
 * The workflow editor in the browser: the administrator opens ship-order's current version
 * as YAML, a broken change is refused with its line shown, a valid one is dry-run, shows its
 * new step in the graph and is saved as a new version that the next run uses; a viewer sees
 * the text read-only and the API refuses the viewer's save. axe-core checks the screen.
 */
describe('dashboard: the workflow editor', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page };
  let original = '';
  let v1 = '';

  const editor = (page: Page) => page.getByLabel('Workflow ship-order (YAML)');

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    browser = await launchBrowser();
    v1 = x.engine.catalog.currentVersion('ship-order')!.hash;
    admin = await signIn(browser, x.base, x.users.admin);
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('the workflow page opens the current version in the editor, as YAML', async () => {
    const { page } = admin;
    await page.goto('/app/workflows/ship-order');
    await page.getByRole('link', { name: 'Edit as YAML' }).click();
    await editor(page).waitFor();
    original = await editor(page).inputValue();
    assert.match(original, /^id: ship-order$/m);
    assert.match(original, /carrier: parcel-co/);
    await page.locator('[data-check="unchanged"]').waitFor();
    assert.equal(await page.locator('[data-step]').count(), 5, 'the five steps of the graph');
  });

  test('a broken change is refused: its line and path shown, the line marked, no save', async () => {
    const { page } = admin;
    const broken = original.replace(/next: confirm/, 'next: nowhere');
    assert.notEqual(broken, original);
    const line = lineOf(broken, 'nowhere');
    await editor(page).fill(broken);
    await page.locator('[data-check="invalid"]').waitFor();
    const problem = page.getByRole('list', { name: 'Problems' }).getByRole('listitem');
    assert.equal(await problem.count(), 1);
    assert.equal(await problem.getAttribute('data-line'), String(line));
    assert.match(await problem.innerText(), new RegExp(`^Line ${line} steps\\[\\d\\]\\.next: `));
    assert.match(await problem.innerText(), /nowhere/);
    assert.equal(await page.locator('.gutter .bad-line').innerText(), String(line));
    assert.equal(await editor(page).getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page.getByRole('button', { name: 'Save as new version' }).isDisabled(),
      true,
    );
    // Choosing the problem puts the caret on its line.
    await problem.getByRole('button', { name: `Line ${line}` }).click();
    const caretLine = await editor(page).evaluate((el) => {
      const area = el as unknown as { value: string; selectionStart: number };
      return area.value.slice(0, area.selectionStart).split('\n').length;
    });
    assert.equal(caretLine, line);
    assert.deepEqual(await accessibilityProblems(page), [], 'the editor with a problem shown');
    assert.equal(x.engine.catalog.currentVersion('ship-order')!.hash, v1, 'nothing was saved');
  });

  test('a valid change redraws the graph, dry-runs, and saves as a new version new runs use', async () => {
    const { page } = admin;
    const before = await x.send('shipment.ready', 'before-save', { ref: 'WH/OUT/1', weightKg: 4 });
    const edited = original.replace(
      /(\n\s*- id: route\n)/,
      `\n  - id: insure\n    type: transform\n    with: { insured: true }$1`,
    );
    assert.notEqual(edited, original);
    await editor(page).fill(edited);
    await page.locator('[data-check="valid"]').waitFor();
    await page.locator('[data-step="insure"]').waitFor();
    assert.equal(await page.locator('[data-step]').count(), 6);

    const dryRun = page.getByRole('form', { name: 'Dry run' });
    await dryRun.getByLabel('Event').fill(
      JSON.stringify({
        source: 'odoo',
        type: 'shipment.ready',
        key: 'dry',
        payload: { ref: 'WH/OUT/9', weightKg: 4 },
      }),
    );
    await dryRun.getByRole('button', { name: 'Dry-run' }).click();
    await dryRun.locator('[data-outcome="completed"]').waitFor();
    assert.match(await dryRun.locator('.simulation').innerText(), /insure/);
    assert.equal(
      x.engine.catalog.currentVersion('ship-order')!.hash,
      v1,
      'a dry run saves nothing',
    );

    await page.getByRole('button', { name: 'Save as new version' }).click();
    const saved = page.locator('[data-saved]');
    await saved.waitFor();
    const v2 = (await saved.getAttribute('data-saved'))!;
    assert.notEqual(v2, v1);
    assert.equal(x.engine.catalog.currentVersion('ship-order')!.hash, v2);
    // The editor reopens on the saved version, unchanged.
    await page.locator('[data-check="unchanged"]').waitFor();
    assert.equal(await editor(page).inputValue(), edited);

    const after = await x.send('shipment.ready', 'after-save', { ref: 'WH/OUT/2', weightKg: 4 });
    const ran = await x.engine.runs.show(after);
    assert.equal(ran.workflowVersion, v2);
    assert.ok(ran.steps.some((s) => s.stepId === 'insure'));
    assert.equal((await x.engine.runs.show(before)).workflowVersion, v1);
    // The run's page names the version it ran.
    await page.goto(`/app/runs/${after}`);
    await page.locator('[data-step="insure"]').waitFor();

    const [entry] = await x.services.audit.list({ action: 'workflow.version.save' });
    assert.ok(entry);
    assert.equal(entry.actor.includes(x.users.admin), true);
    assert.deepEqual([entry.details.from, entry.details.to], [v1, v2]);
  });

  test('a viewer sees the text read-only, and the API refuses the save with 403', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.viewer);
    try {
      await page.goto('/app/workflows/ship-order');
      await page.getByRole('link', { name: 'View as YAML' }).click();
      await editor(page).waitFor();
      assert.notEqual(await editor(page).getAttribute('readonly'), null);
      await page.getByText('Read-only: saving a new version needs the workflows:write').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save as new version' }).count(), 0);
      assert.deepEqual(await accessibilityProblems(page), [], 'the read-only editor');

      const login = await context.request.post('/api/v1/auth/login', {
        data: { email: x.users.viewer, password: PASSWORD },
      });
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const current = x.engine.catalog.currentVersion('ship-order')!.hash;
      const refused = await context.request.post('/api/v1/workflows/ship-order/versions', {
        headers: { 'x-csrf-token': csrfToken },
        data: { yaml: original, baseVersion: current },
      });
      assert.equal(refused.status(), 403);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'FORBIDDEN');
      assert.match(body.error.message, /workflows:write/);
      assert.equal(x.engine.catalog.currentVersion('ship-order')!.hash, current);
    } finally {
      await context.close();
    }
  });
});
