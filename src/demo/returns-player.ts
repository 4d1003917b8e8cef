/**
 * The demo's customers who send goods back, and the warehouse that scans them in (returns
 * pack). Once an order's invoice is released, a share of its customers ask for a return
 * through the portal (a few of them key it in again at customer service: the same request);
 * some ask for more than was delivered. Once Crossdock has created the return in Odoo, the
 * warehouse scans the goods in, some of them damaged. Both go through Crossdock's intake, as
 * a portal and a scanner would, and what they ask depends only on the order, so a rerun of
 * the demo asks alike.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Logger } from '../observability/index.ts';
import type { OdooSimulator } from './simulators.ts';
import { shareOf } from './actors.ts';

type Accept = (event: {
  source: string;
  type: string;
  key: string;
  payload: Record<string, unknown>;
}) => Promise<unknown>;

export interface ReturnPlayerOptions {
  db: Kysely<Database>;
  odoo: OdooSimulator;
  accept: Accept;
  /** Share of invoiced orders whose customer asks for a return. */
  returnShare: number;
  /** Share of those asking for one more than was delivered (refused). */
  overQuantityShare: number;
  /** Share of the received goods reported damaged (scrapped). */
  damagedShare: number;
  logger: Logger;
}

/** How far below the newest event id read each read starts again (ids a server commits late). */
const READ_OVERLAP = 1_000;

export class ReturnPlayer {
  readonly sent = { requests: 0, duplicates: 0, scans: 0, scrapped: 0 };
  /** Per kind, the events already acted on (by event id) and the newest id read. */
  readonly #read = {
    request: { seen: new Map<string, number>(), newest: 0 },
    scan: { seen: new Map<string, number>(), newest: 0 },
  };

  constructor(private readonly o: ReturnPlayerOptions) {}

  /** Sends what is due now: requests for newly invoiced orders, scans for newly created returns. Answers how many events it sent. */
  async flush(): Promise<number> {
    let sent = 0;
    try {
      sent += await this.#requests();
      sent += await this.#scans();
    } catch (error) {
      this.o.logger.warn({ error: String(error) }, 'demo returns: a request or scan failed');
    }
    return sent;
  }

  /**
   * The values of `field` in Crossdock's events of `type` not acted on yet. Each read starts a
   * little below the newest event id read before (on a server, ids may commit slightly out of
   * order), and only what was acted on within that overlap is remembered: a demo left running
   * reads and keeps the same amount each time, however long it has run.
   */
  async #fresh(kind: 'request' | 'scan', type: string, field: string): Promise<string[]> {
    const read = this.#read[kind];
    const floor = Math.max(0, read.newest - READ_OVERLAP);
    const rows = await sql<{ id: string; value: string }>`
      SELECT id, payload->>${field} AS value FROM events
      WHERE source = 'crossdock' AND type = ${type} AND id > ${floor} ORDER BY id`.execute(
      this.o.db,
    );
    for (const [value, id] of read.seen) if (id <= floor) read.seen.delete(value);
    const fresh: string[] = [];
    for (const { id, value } of rows.rows) {
      read.newest = Math.max(read.newest, Number(id));
      if (read.seen.has(value)) continue;
      read.seen.set(value, Number(id));
      fresh.push(value);
    }
    return fresh;
  }

  async #requests(): Promise<number> {
    let sent = 0;
    for (const order of await this.#fresh('request', 'invoice.released', 'order')) {
      if (shareOf(`return:${order}`) >= this.o.returnShare) continue;
      const [sale] = this.o.odoo.db.searchRead('sale.order', [['name', '=', order]], ['id']);
      const [line] = this.o.odoo.db.searchRead(
        'sale.order.line',
        [
          ['order_id', '=', sale?.id ?? 0],
          ['is_delivery', '=', false],
          ['qty_delivered', '>', 0],
        ],
        ['product_id', 'qty_delivered'],
      );
      if (line === undefined) continue;
      const over = shareOf(`over:${order}`) < this.o.overQuantityShare;
      const request = {
        order,
        reference: `RMA-${order}`,
        lines: [
          {
            product: (line.product_id as [number, string])[0],
            quantity: over ? Number(line.qty_delivered) + 1 : 1,
          },
        ],
        reason: over ? 'the whole shipment' : 'not as described',
        requested_by: 'portal@demo.crossdock.test',
      };
      await this.o.accept({
        source: 'portal',
        type: 'return.requested',
        key: `portal:${order}`,
        payload: request,
      });
      sent++;
      this.sent.requests++;
      if (shareOf(`again:${order}`) < 0.2) {
        // The customer also calls; customer service keys the same request in.
        await this.o.accept({
          source: 'customer-service',
          type: 'return.requested',
          key: `cs:${order}`,
          payload: request,
        });
        this.sent.duplicates++;
      }
    }
    return sent;
  }

  async #scans(): Promise<number> {
    let sent = 0;
    for (const ret of await this.#fresh('scan', 'return.accepted', 'return')) {
      const [picking] = this.o.odoo.db.searchRead('stock.picking', [['name', '=', ret]], ['id']);
      const moves = this.o.odoo.db.searchRead(
        'stock.move',
        [['picking_id', '=', picking?.id ?? 0]],
        ['product_id'],
      );
      const damaged = shareOf(`damaged:${ret}`) < this.o.damagedShare;
      await this.o.accept({
        source: 'scanner',
        type: 'return.received',
        key: `scan:${ret}`,
        payload: {
          return: ret,
          lines: moves.map((m) => ({
            product: (m.product_id as [number, string])[0],
            condition: damaged ? 'scrap' : 'restock',
          })),
        },
      });
      sent++;
      this.sent.scans++;
      if (damaged) this.sent.scrapped++;
    }
    return sent;
  }
}
