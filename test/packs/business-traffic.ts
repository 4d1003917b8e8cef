import { ApproverBot, TrackingPlayer } from '../../src/demo/actors.ts';
import { DemoAuthenticators } from '../../src/demo/authenticators.ts';
import { BillTraffic } from '../../src/demo/bills.ts';
import { settled } from '../../src/demo/report.ts';
import { ReturnPlayer } from '../../src/demo/returns-player.ts';
import type { DemoSystem } from '../../src/demo/system.ts';
import { sendInventoryRound } from '../../src/demo/traffic-inventory.ts';
import { OrderTraffic } from '../../src/demo/traffic.ts';
import { silentLogger } from '../../src/observability/index.ts';

/**
 * A morning of the business packs on the demo system, as the demo drives them: the day's
 * inventory counts and scraps, `orders` orders decided by the approvers (a share rejected,
 * step-up levels confirmed with their authenticators), shipped and delivered (invoices
 * released or held), vendor bills entered every third order, customers returning a share of
 * what was invoiced. Resolves once everything has settled (runs ended or waiting for a
 * person), polled with a deadline.
 */
export async function runBusinessMorning(
  system: DemoSystem,
  orders: number,
  timeoutMs = 240_000,
): Promise<{ billsEntered: number }> {
  const { odoo, carriers, crossdock } = system;
  const logger = silentLogger();
  const authenticators = await DemoAuthenticators.enrol(
    crossdock.services.totp,
    system.people.values(),
    () => crossdock.engine.clock.now(),
  );
  const bot = new ApproverBot({
    authenticators,
    approvals: crossdock.services.approvals,
    people: system.people,
    rejectShare: 0.15,
    thinkMs: [20, 120],
    pollMs: 100,
    logger,
  });
  const player = new TrackingPlayer({
    carriers,
    delayedShare: 0,
    damagedShare: 0.1,
    duplicateShare: 0.1,
    stepMs: 100,
    logger,
    ready: (ref) =>
      odoo.db.searchRead('stock.picking', [['carrier_tracking_ref', '=', ref]], ['id']).length > 0,
  });
  const returns = new ReturnPlayer({
    db: crossdock.store.db,
    odoo,
    accept: (event) => crossdock.engine.accept(event),
    returnShare: 0.4,
    overQuantityShare: 0.15,
    damagedShare: 0.3,
    logger,
  });
  const bills = new BillTraffic(odoo, system.catalog, (event) => crossdock.engine.accept(event));
  const traffic = new OrderTraffic(odoo, system.catalog, 21);
  bot.start();
  player.start();
  try {
    await sendInventoryRound(crossdock.engine, { stepUp: false });
    for (let i = 0; i < orders; i++) {
      await traffic.placeOne();
      if (i % 3 === 1) await bills.placeOne();
    }
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (quiet < 2) {
      if (Date.now() > deadline)
        throw new Error(`the business morning did not settle within ${timeoutMs} ms`);
      await player.flush();
      const sent = await returns.flush();
      const placed = traffic.placed.map((order) => order.id);
      quiet = sent === 0 && (await settled(crossdock.store.db, placed)) ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 250)); // polling a condition, bounded by the deadline
    }
  } finally {
    bot.stop();
    await player.stop();
  }
  return { billsEntered: bills.entered.length };
}
