/**
 * Inventory of the lab database before the lab flows ran: the locations (in
 * stock-locations.ts), the warehouses and picking types; the quants of
 * execute_kw-search_read-stock.quant (1..8), the chair quant 11 (10 on hand) and the drawer
 * quant 13 (lot 1); and the pickings with their moves and lines (in stock-pickings.ts).
 */
import { CUSTOMERS, STOCK, VENDORS, locationRows } from './stock-locations.ts';
import { pickingRows } from './stock-pickings.ts';
import type { SeedRow, SeedRows } from './types.ts';

function quant(
  id: number,
  product: number,
  loc: number,
  quantity: number,
  reserved: number,
  writeDate = '2026-11-22 04:21:54',
  lot: number | false = false,
): SeedRow {
  return {
    id,
    product_id: product,
    location_id: loc,
    lot_id: lot,
    quantity,
    reserved_quantity: reserved,
    inventory_quantity: 0,
    in_date: '2026-11-22 04:21:59',
    company_id: 1,
    write_date: writeDate,
  };
}

export const stockRows: SeedRows = {
  'stock.location': locationRows,
  'stock.warehouse': [
    {
      id: 1,
      name: 'YourCompany',
      code: 'WH',
      sequence: 1,
      lot_stock_id: STOCK,
      view_location_id: 7,
      partner_id: 1,
      company_id: 1,
    },
    {
      id: 2,
      name: 'Chicago 1',
      code: 'CHIC1',
      sequence: 2,
      lot_stock_id: 28,
      view_location_id: 27,
      partner_id: 42,
      company_id: 2,
    },
  ],
  'stock.picking.type': [
    {
      id: 1,
      name: 'Receipts',
      code: 'incoming',
      sequence: 1,
      sequence_code: 'IN',
      warehouse_id: 1,
      default_location_src_id: VENDORS,
      default_location_dest_id: STOCK,
    },
    {
      id: 2,
      name: 'Delivery Orders',
      code: 'outgoing',
      sequence: 2,
      sequence_code: 'OUT',
      warehouse_id: 1,
      default_location_src_id: STOCK,
      default_location_dest_id: CUSTOMERS,
    },
  ],
  'stock.lot': [{ id: 1, name: '0000000000001', product_id: 32 }],
  'stock.quant': [
    quant(1, 30, STOCK, 16, 0),
    quant(2, 18, STOCK, 18, 0),
    quant(3, 17, STOCK, 500, 153, '2026-11-22 04:22:20'),
    quant(4, 20, STOCK, 22, 0),
    quant(5, 21, STOCK, 33, 15, '2026-11-22 04:22:17'),
    quant(6, 23, STOCK, 26, 0),
    quant(7, 24, STOCK, 30, 0),
    quant(8, 12, STOCK, 45, 0),
    quant(9, 17, 28, 200, 100),
    quant(10, 37, STOCK, 65, 0),
    quant(11, 25, STOCK, 10, 0),
    quant(12, 38, STOCK, 70, 0),
    quant(13, 32, STOCK, 80, 15, '2026-11-22 04:21:54', 1),
    quant(14, 26, STOCK, 2, 0),
  ],
  ...pickingRows(),
};
