import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { runBusinessMorning } from './business-traffic.ts';
import { packHarness, type PackHarness } from './support.ts';

/**
 * The Overview's business KPIs (GET /api/v1/kpis: `invoiceRelease`, `noTouch`) against what
 * the store holds after a morning of the packs on the simulators. Each figure is worked out
 * again here from the runs' completed steps and the packs' events, as the packs define their
 * paths in their workflow files, not through the code the API uses.
 */
interface RunPath {
  workflow: string;
  status: string;
  input: Record<string, unknown>;
  steps: string[];
  lastAt: number | null;
}

describe('business KPIs: invoice release time and the no-touch shares', () => {
  let h: PackHarness;
  let token: string;
  before(async () => {
    h = await packHarness();
    const { users, tokens } = h.crossdock.services;
    const viewer = await users.create({ email: 'finance-kpi@demo.crossdock.test', role: 'viewer' });
    token = (await tokens.create({ id: viewer.id, role: 'viewer' }, { name: 'kpi' }, null)).token;
    await runBusinessMorning(h, 15);
    // Each figure is compared with the store: nothing may still be moving when both are read.
    await h.settled();
  });
  after(() => h?.close());

  const kpis = async (query: string) => {
    const response = await fetch(`${h.instance.url}/api/v1/kpis?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as Record<string, any>;
    assert.equal(response.status, 200, JSON.stringify(body));
    return body;
  };

  /** Every run of the business packs with the steps it completed and when its last one ended. */
  const runPaths = async (): Promise<RunPath[]> => {
    const r = await sql<{
      workflow_id: string;
      status: string;
      input: Record<string, unknown>;
      steps: string[] | null;
      last_at: Date | string | null;
    }>`
      SELECT r.workflow_id, r.status, r.input,
             array_agg(s.step_id) FILTER (WHERE s.step_id IS NOT NULL) AS steps, max(s.ended_at) AS last_at
      FROM runs r LEFT JOIN run_steps s ON s.run_id = r.id AND s.status = 'completed'
      WHERE r.workflow_id IN ('order-release', 'invoice-release', 'vendor-bill-match', 'return-request', 'inventory-count')
      GROUP BY r.id`.execute(h.crossdock.store.db);
    return r.rows.map((row) => ({
      workflow: row.workflow_id,
      status: row.status,
      input: row.input,
      steps: row.steps ?? [],
      lastAt: row.last_at === null ? null : new Date(row.last_at).getTime(),
    }));
  };
  const releaseSeconds = async () => {
    const r = await sql<{ payload: { release_seconds: number } }>`
      SELECT payload FROM events WHERE source = 'crossdock' AND type = 'invoice.released'`.execute(
      h.crossdock.store.db,
    );
    return r.rows.map((row) => Number(row.payload.release_seconds)).sort((a, b) => a - b);
  };
  /** Nearest rank: the smallest value with at least q of them at or under it. */
  const rank = (sorted: number[], q: number) =>
    sorted.length === 0 ? null : sorted[Math.ceil(q * sorted.length) - 1]!;
  const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

  test('each figure agrees with the runs and events in the store', async () => {
    const k = await kpis('last=24h');
    const runs = await runPaths();
    const of = (workflow: string) => runs.filter((r) => r.workflow === workflow);
    const has = (r: RunPath, ...steps: string[]) => steps.some((s) => r.steps.includes(s));

    // Invoices: posted on the proof of delivery, or held for finance; delivered -> posted.
    const invoiceRuns = of('invoice-release');
    const released = invoiceRuns.filter((r) => has(r, 'released')).length;
    const held = invoiceRuns.filter((r) => has(r, 'hold-case', 'unreserved-case')).length;
    const times = await releaseSeconds();
    assert.ok(released > 0, 'invoices were released on a proof of delivery');
    assert.equal(times.length, released, 'one invoice.released event per invoice posted');
    assert.deepEqual(k.invoiceRelease, {
      released,
      held,
      noTouchShare: ratio(released, released + held),
      releaseSeconds: { count: times.length, p50: rank(times, 0.5), p90: rank(times, 0.9) },
    });

    // Order release: released with no approval, after one, held (a case or for stock).
    const orders = of('order-release').filter((r) => r.status !== 'failed');
    const auto = orders.filter((r) => has(r, 'released') && !has(r, 'approve')).length;
    const approved = orders.filter((r) => has(r, 'released') && has(r, 'approve')).length;
    const rejected = orders.filter((r) => !has(r, 'released') && has(r, 'tell-salesperson')).length;
    const heldOrders = orders.filter(
      (r) => !has(r, 'released', 'tell-salesperson') && has(r, 'hold-case', 'hold-stock'),
    ).length;
    const failed = of('order-release').length - orders.length;
    const decided = auto + approved + rejected + heldOrders + failed;
    assert.equal(decided, 15, 'every order has an outcome');
    assert.ok(
      auto > 0 && approved > 0,
      `released at once (${auto}) and after approval (${approved})`,
    );
    assert.deepEqual(k.noTouch.orderRelease, {
      auto,
      approved,
      held: heldOrders,
      rejected,
      failed,
      decided,
      share: ratio(auto, decided),
    });

    // Vendor bills, one outcome per bill.
    const bills = new Map<string, string>();
    for (const r of of('vendor-bill-match')) {
      const outcome = has(r, 'released')
        ? has(r, 'approve')
          ? 'approved'
          : 'matched'
        : has(r, 'rejected-note')
          ? 'rejected'
          : has(r, 'hold-activity')
            ? 'held'
            : null;
      if (outcome) bills.set(String(r.input.bill_id), outcome);
    }
    const billCount = (o: string) => [...bills.values()].filter((v) => v === o).length;
    assert.equal(bills.size, 5, 'every bill entered has one outcome');
    assert.deepEqual(k.noTouch.vendorBills, {
      postedOnMatch: billCount('matched'),
      postedAfterApproval: billCount('approved'),
      rejected: billCount('rejected'),
      held: billCount('held'),
      decided: bills.size,
      share: ratio(billCount('matched'), bills.size),
    });

    // Returns accepted with no finance review and no case.
    const returns = of('return-request');
    const accepted = returns.filter((r) => has(r, 'accepted'));
    const untouched = accepted.filter((r) => !has(r, 'review', 'refuse-case', 'unknown-order'));
    assert.ok(accepted.length > 0, 'customers sent goods back');
    assert.deepEqual(k.noTouch.returns, {
      accepted: accepted.length,
      acceptedNoTouch: untouched.length,
      reviewed: returns.filter((r) => has(r, 'review')).length,
      refused: returns.filter((r) => has(r, 'refused', 'rejected', 'unknown-refused')).length,
      share: ratio(untouched.length, accepted.length),
    });

    // Inventory counts applied at once, or after two approvals (the demo's round has both).
    const counts = of('inventory-count');
    const atOnce = counts.filter((r) => has(r, 'apply')).length;
    const afterApproval = counts.filter((r) => has(r, 'apply-approved')).length;
    const cleared = counts.filter((r) => has(r, 'clear', 'rejected-note')).length;
    assert.ok(atOnce > 0 && afterApproval + cleared > 0, 'counts within and beyond tolerance');
    assert.deepEqual(k.noTouch.inventoryCounts, {
      atOnce,
      afterApproval,
      rejected: cleared,
      share: ratio(atOnce, atOnce + afterApproval + cleared),
    });
  });

  test('a range counts the outcomes reached in it: before the morning, none', async () => {
    const runs = await runPaths();
    const first = Math.min(...runs.flatMap((r) => (r.lastAt === null ? [] : [r.lastAt])));
    const to = new Date(first - 1000).toISOString();
    const from = new Date(first - 3_600_000).toISOString();
    const k = await kpis(`from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    assert.deepEqual(k.invoiceRelease, {
      released: 0,
      held: 0,
      noTouchShare: null,
      releaseSeconds: { count: 0, p50: null, p90: null },
    });
    assert.equal(k.noTouch.orderRelease.decided, 0);
    assert.equal(k.noTouch.orderRelease.share, null);
    assert.equal(k.noTouch.vendorBills.decided, 0);
    assert.equal(k.noTouch.returns.accepted, 0);
    assert.equal(k.noTouch.inventoryCounts.share, null);
  });
});
