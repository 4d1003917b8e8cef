import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
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

/** ship-order, version 2: insures the shipment before booking it, and books with another message. */
const SHIP_V2 = `
id: ship-order
version: 2
description: Choose a carrier by weight, insure and book the shipment
trigger: { event: shipment.ready }
steps:
  - id: classify
    type: transform
    with: { ref: "= input.ref", weightKg: "= input.weightKg" }
  - id: insure
    type: transform
    with: { insured: true }
  - id: route
    type: switch
    with:
      cases:
        - { when: "input.weightKg > 30", next: freight }
        - { when: "input.weightKg > 0", next: parcel }
  - id: parcel
    type: transform
    with: { carrier: parcel-co, ref: "= input.ref" }
    next: confirm
  - id: freight
    type: transform
    with: { carrier: freight-co, ref: "= input.ref" }
    next: confirm
  - id: confirm
    type: log
    with: { message: "= 'booked and insured ' & input.ref" }
    end: true
`;

/**
 * Workflow versions and the audit search in the browser: a run's page draws the version the
 * run is pinned to, the workflow page lists every version and shows any of them, and the
 * auditor reads newest first and searches by target. Takes no screenshots.
 */
describe('dashboard: workflow versions and the audit search', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  let oldRun: string;
  let newRun: string;
  let v1 = '';
  let v2 = '';

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    browser = await launchBrowser();
    v1 = x.engine.catalog.currentVersion('ship-order')!.hash;
    oldRun = await x.send('shipment.ready', 'v1-ship', { ref: 'WH/OUT/00001', weightKg: 4 });
    await loadWorkflows(x, [CREDIT, SHIP_V2]);
    v2 = x.engine.catalog.currentVersion('ship-order')!.hash;
    newRun = await x.send('shipment.ready', 'v2-ship', { ref: 'WH/OUT/00002', weightKg: 4 });
    assert.notEqual(v1, v2);
    assert.equal(SHIP.includes('insure'), false, 'version 1 has no insure step');
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test("a run pinned to the older version shows that version's graph and names the current one", async () => {
    const { context, page } = await signIn(browser, x.base, x.users.viewer);
    await page.goto(`/app/runs/${oldRun}`);
    await page.locator('[data-run-status="completed"]').waitFor();
    const note = page.locator('[data-version-note="older"]');
    await note.waitFor();
    // Version 1 of ship-order has no label, so it goes by its hash; version 2 is labelled 2.
    assert.match(
      await note.innerText(),
      new RegExp(
        `pinned to version ${v1.slice(0, 12)}; current is version 2 \\(${v2.slice(0, 8)}\\)`,
      ),
    );
    assert.equal(
      await page.locator('[data-step="classify"]').getAttribute('data-status'),
      'completed',
    );
    assert.equal(
      await page.locator('[data-step="insure"]').count(),
      0,
      'version 1 has no insure step',
    );

    await page.goto(`/app/runs/${newRun}`);
    await page.locator('[data-version-note="current"]').waitFor();
    assert.match(
      await page.locator('[data-version-note]').innerText(),
      /pinned to version 2 .*\(current\)/,
    );
    assert.equal(
      await page.locator('[data-step="insure"]').getAttribute('data-status'),
      'completed',
    );

    // From the old run's note to the workflow's page.
    await page.goto(`/app/runs/${oldRun}`);
    await page
      .locator('[data-version-note="older"]')
      .getByRole('link', { name: `version ${v1.slice(0, 12)}` })
      .click();
    await page.locator(`[data-version-shown="${v1}"]`).waitFor();
    await context.close();
  });

  test('the workflow page lists both versions and shows the old one: graph, definition, and what the new one changed', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.operator);
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('link', { name: 'ship-order' }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.locator(`[data-version="${v1}"]`).waitFor();
    const rows = await Promise.all(
      (await versions.locator('tbody tr').all()).map(async (tr) => [
        await tr.getAttribute('data-version'),
        (await tr.innerText()).replace(/\s+/g, ' ').trim(),
      ]),
    );
    assert.equal(rows.length, 2);
    assert.equal(rows[0]![0], v2, 'newest first');
    assert.match(rows[0]![1]!, new RegExp(`^2 ${v2.slice(0, 12)} .* 1 current$`));
    assert.match(
      rows[1]![1]!,
      new RegExp(`^${v1.slice(0, 12)} ${v1.slice(0, 12)} .* 1 no$`),
      'no label: the hash names it',
    );
    // The current version is shown first, with the dry run.
    await page.locator(`[data-version-shown="${v2}"][data-current="yes"]`).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Dry run' }).count(), 1);
    const changes = page.getByRole('list', { name: 'Changes from the previous version' });
    assert.equal(await changes.locator('[data-change="added"]').innerText(), 'Steps added: insure');
    assert.equal(
      await changes.locator('[data-change="changed"]').innerText(),
      'Steps changed: confirm',
    );
    assert.equal(await changes.locator('[data-change="removed"]').count(), 0);

    await versions.getByRole('link', { name: v1.slice(0, 12), exact: true }).click();
    await page.waitForURL(`**/app/workflows/ship-order/versions/${v1}`);
    const old = page.locator(`[data-version-shown="${v1}"][data-current="no"]`);
    await old.waitFor();
    assert.equal(await old.locator('[data-step="insure"]').count(), 0);
    assert.equal(await old.locator('[data-step="route"]').count(), 1);
    assert.match(
      await old.getByLabel(`Workflow definition, version ${v1.slice(0, 12)}`).innerText(),
      /"message": "= 'booked ' & input.ref"/,
    );
    await old.locator('[data-changes="first"]').waitFor();
    assert.equal(
      await page.getByRole('form', { name: 'Dry run' }).count(),
      0,
      'the dry run stays on the current version',
    );
    await context.close();
  });

  test('the auditor reads newest entries first, can turn the order round, and searches by target', async () => {
    for (const target of ['approval:12', 'approval:120', 'approval:12'])
      await x.services.audit.append({
        actor: 'user:9 eve@acme.test',
        action: 'approval.comment',
        target,
        details: { note: `on ${target}` },
      });
    const { context, page } = await signIn(browser, x.base, x.users.auditor);
    await page.getByRole('link', { name: 'Audit' }).click();
    const entries = page.getByRole('table', { name: 'Audit entries' });
    await entries.locator('tbody tr').first().waitFor();
    const seqs = async () =>
      await entries
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-seq'))));
    const newestFirst = await seqs();
    const head = (
      await x.services.audit.list({ beforeSeq: Number.MAX_SAFE_INTEGER, limit: 1 })
    )[0]!;
    assert.equal(newestFirst[0], head.seq, 'the newest entry (this sign-in) is first');
    assert.deepEqual(
      newestFirst,
      [...newestFirst].sort((a, b) => b - a),
    );
    assert.equal(
      await entries
        .locator(`[data-seq="${head.seq}"]`)
        .innerText()
        .then((t) => /login\.succeeded/.test(t)),
      true,
    );

    await page.getByRole('button', { name: 'Oldest first' }).click();
    await page.getByRole('heading', { name: 'Entries, oldest first' }).waitFor();
    await entries.locator('tbody tr').first().and(page.locator('[data-seq="1"]')).waitFor();

    await page.getByLabel('Target').fill('approval:12');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Newest first' }).click();
    // The table takes the order of the page it shows, so this is the searched page, newest first.
    await page.locator('[aria-label="Audit entries"][data-order="desc"]').waitFor();
    assert.equal(await entries.locator('tbody tr').count(), 2);
    const targets = await entries.locator('tbody tr td:nth-child(5)').allInnerTexts();
    assert.deepEqual(targets, ['approval:12', 'approval:12'], 'approval:120 is another target');
    assert.match(await entries.locator('tbody tr').first().innerText(), /note\s*on approval:12/);
    await context.close();
  });
});
