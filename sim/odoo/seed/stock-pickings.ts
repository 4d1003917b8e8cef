/**
 * Receipts and deliveries of the lab database with their moves and move lines:
 * deliveries WH/OUT/00008..00014 (pickings 22..28) as execute_kw-search_read-
 * stock.picking shows them. Pickings 1..21, their moves and move lines are fillers that
 * keep the id sequences where the lab's were (next picking 29, move 51, move line 42).
 */
import { CUSTOMERS, STOCK, VENDORS } from './stock-locations.ts';
import type { SeedRow, SeedRows } from './types.ts';

interface PickingSpec {
  id: number;
  name: string;
  type: 1 | 2;
  state: string;
  partner: number;
  origin: string | false;
  scheduled: string;
  deadline?: string | false;
  done?: string | false;
  carrier?: number | false;
  sale?: number | false;
  moves: Array<[id: number, product: number, qty: number, reserved: number]>;
  writeDate?: string;
}

const PICKINGS: PickingSpec[] = [
  ...Array.from({ length: 7 }, (_, index): PickingSpec => ({
    id: index + 1,
    name: `WH/IN/${String(index + 1).padStart(5, '0')}`,
    type: 1,
    state: 'done',
    partner: [9, 12, 14, 15][index % 4] ?? 9,
    origin: `P${String(index + 1).padStart(5, '0')}`,
    scheduled: '2026-11-20 04:22:00',
    done: '2026-11-22 04:22:00',
    moves: [
      [2 * index + 1, 17, 50, 0],
      [2 * index + 2, 21, 10, 0],
    ],
  })),
  ...Array.from({ length: 7 }, (_, index): PickingSpec => ({
    id: index + 8,
    name: `WH/OUT/${String(index + 1).padStart(5, '0')}`,
    type: 2,
    state: 'done',
    partner: [10, 12, 14][index % 3] ?? 10,
    origin: 'outgoing shipment',
    scheduled: '2026-11-15 04:22:00',
    done: '2026-11-21 04:22:00',
    moves: [
      [2 * index + 15, 20, 2, 0],
      [2 * index + 16, 18, 1, 0],
    ],
  })),
  // Pending receipts: 110 units of E-COM11 (21) expected, hence its forecast 33 + 110 - 5 = 138.
  ...(
    [
      [
        [29, 21, 20],
        [30, 5, 10],
      ],
      [
        [31, 21, 20],
        [32, 6, 10],
      ],
      [
        [33, 21, 20],
        [34, 28, 5],
      ],
      [
        [35, 21, 20],
        [36, 5, 5],
      ],
      [
        [37, 21, 10],
        [38, 6, 5],
      ],
      [[39, 21, 10]],
    ] as const
  ).map((moves, index): PickingSpec => ({
    id: index + 15,
    name: `WH/IN/${String(index + 8).padStart(5, '0')}`,
    type: 1,
    state: 'assigned',
    partner: [9, 12, 14][index % 3] ?? 9,
    origin: `P${String(index + 8).padStart(5, '0')}`,
    scheduled: '2026-11-24 04:22:09',
    moves: moves.map(
      ([id, product, qty]) =>
        [id, product, qty, index < 2 ? qty : 0] as [number, number, number, number],
    ),
  })),
  {
    id: 21,
    name: 'WH/IN/00014',
    type: 1,
    state: 'assigned',
    partner: 12,
    origin: 'P00011',
    scheduled: '2026-11-24 04:22:09',
    moves: [
      [46, 21, 10, 10],
      [47, 28, 5, 5],
    ],
  },
  {
    id: 22,
    name: 'WH/OUT/00008',
    type: 2,
    state: 'assigned',
    partner: 31,
    origin: 'S00021',
    scheduled: '2026-11-23 04:22:19',
    deadline: '2026-11-22 04:22:19',
    sale: 21,
    moves: [
      [40, 31, 5, 5],
      [41, 21, 5, 5],
    ],
    writeDate: '2026-11-22 04:22:17',
  },
  {
    id: 23,
    name: 'WH/OUT/00009',
    type: 2,
    state: 'assigned',
    partner: 31,
    origin: 'S00022',
    scheduled: '2026-11-23 04:22:19',
    deadline: '2026-11-22 04:22:19',
    sale: 22,
    moves: [[42, 31, 5, 5]],
    writeDate: '2026-11-22 04:22:17',
  },
  // Pending deliveries: E-COM06 (16) 85 out, E-COM07 (17) 413 out (253 reserved), Drawer (32) 15 out.
  {
    id: 24,
    name: 'WH/OUT/00010',
    type: 2,
    state: 'assigned',
    partner: 31,
    origin: 'S00023',
    scheduled: '2026-11-25 04:22:19',
    deadline: '2026-11-22 04:22:19',
    sale: 23,
    moves: [
      [43, 16, 75, 0],
      [44, 17, 1, 1],
    ],
    writeDate: '2026-11-22 04:22:17',
  },
  {
    id: 25,
    name: 'WH/OUT/00011',
    type: 2,
    state: 'confirmed',
    partner: 31,
    origin: 'S00024',
    scheduled: '2026-11-22 04:22:19',
    deadline: '2026-11-22 04:22:19',
    sale: 24,
    moves: [[45, 16, 10, 0]],
    writeDate: '2026-11-22 04:22:17',
  },
  {
    id: 26,
    name: 'WH/OUT/00012',
    type: 2,
    state: 'assigned',
    partner: 9,
    origin: 'outgoing shipment',
    scheduled: '2026-11-19 04:22:21',
    carrier: 2,
    moves: [[48, 17, 200, 150]],
    writeDate: '2026-11-22 04:22:20',
  },
  {
    id: 27,
    name: 'WH/OUT/00013',
    type: 2,
    state: 'assigned',
    partner: 9,
    origin: 'outgoing shipment',
    scheduled: '2026-11-19 04:22:21',
    carrier: 2,
    moves: [[49, 17, 212, 102]],
    writeDate: '2026-11-22 04:22:20',
  },
  {
    id: 28,
    name: 'WH/OUT/00014',
    type: 2,
    state: 'assigned',
    partner: 9,
    origin: 'outgoing shipment',
    scheduled: '2026-11-14 04:22:21',
    done: '2026-11-22 04:22:21',
    carrier: 2,
    moves: [[50, 32, 15, 15]],
    writeDate: '2026-11-22 04:22:20',
  },
];

const SALE_LINE_OF_MOVE: Readonly<Record<number, number>> = {
  40: 45,
  41: 46,
  42: 47,
  43: 48,
  44: 49,
  45: 50,
};

export function pickingRows(): SeedRows {
  const pickings: SeedRow[] = [];
  const moves: SeedRow[] = [];
  const lines: SeedRow[] = [];
  let nextLine = 1;
  // Moves 40 and 41 own move lines 32 and 33 (execute_kw-search_read-stock.move).
  const allocateLine = (moveId: number): number => {
    if (moveId === 40) return 32;
    if (moveId === 41) return 33;
    if (nextLine === 32) nextLine = 34;
    return nextLine++;
  };
  for (const spec of PICKINGS) {
    const [from, to] = spec.type === 1 ? [VENDORS, STOCK] : [STOCK, CUSTOMERS];
    const writeDate = spec.writeDate ?? '2026-11-22 04:22:00';
    pickings.push({
      id: spec.id,
      name: spec.name,
      picking_type_id: spec.type,
      state: spec.state,
      partner_id: spec.partner,
      origin: spec.origin,
      scheduled_date: spec.scheduled,
      date_deadline: spec.deadline ?? false,
      date_done: spec.done ?? false,
      carrier_id: spec.carrier ?? false,
      carrier_tracking_ref: false,
      sale_id: spec.sale ?? false,
      backorder_id: false,
      location_id: from,
      location_dest_id: to,
      move_type: 'direct',
      priority: '0',
      company_id: 1,
      write_date: writeDate,
    });
    for (const [moveId, product, quantity, reserved] of spec.moves) {
      const state =
        spec.state === 'done'
          ? 'done'
          : reserved >= quantity
            ? 'assigned'
            : reserved > 0
              ? 'partially_available'
              : 'confirmed';
      const done = spec.state === 'done';
      moves.push({
        id: moveId,
        name: spec.name,
        origin: spec.origin,
        picking_id: spec.id,
        product_id: product,
        product_uom_qty: quantity,
        quantity: done ? quantity : reserved,
        picked: done,
        product_uom: 1,
        state,
        location_id: from,
        location_dest_id: to,
        sale_line_id: SALE_LINE_OF_MOVE[moveId] ?? false,
        date: spec.done || spec.scheduled,
        company_id: 1,
        write_date: writeDate,
      });
      if (done || reserved > 0) {
        lines.push({
          id: allocateLine(moveId),
          move_id: moveId,
          picking_id: spec.id,
          product_id: product,
          quantity: done ? quantity : reserved,
          picked: done,
          location_id: from,
          location_dest_id: to,
          state,
        });
      }
    }
  }
  return { 'stock.picking': pickings, 'stock.move': moves, 'stock.move.line': lines };
}
