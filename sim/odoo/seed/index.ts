/**
 * Loads the demo database into a fresh store and sets the id and name sequences to
 * where the lab's were when the fixtures were recorded, so replaying the recorded flows
 * yields the recorded ids (order 25 "S00025", picking 29 "WH/OUT/00015", invoice 25).
 */
import type { Registry } from '../orm/model.ts';
import type { Store } from '../orm/store.ts';
import { accountingRows } from './accounting.ts';
import { partnerRows } from './partners.ts';
import { productRows } from './products.ts';
import { metadataRows, referenceRows } from './reference.ts';
import { saleRows } from './sales.ts';
import { stockRows } from './stock.ts';
import type { SeedRows } from './types.ts';

/** Next ids the lab's sequences had reached for records the seed does not hold. */
const NEXT_IDS: Readonly<Record<string, number>> = {
  'mail.message': 272,
  'mail.tracking.value': 53,
  'mail.activity': 18,
  'ir.actions.server': 444,
  'sale.advance.payment.inv': 2,
};

/** Next numbers of named sequences (sale orders, transfers, invoices, purchases). */
const NEXT_SEQUENCES: Readonly<Record<string, number>> = {
  'sale.order': 25,
  'stock.picking.OUT': 15,
  'stock.picking.IN': 15,
  'account.move.INV.2026': 5,
  'purchase.order': 12,
  'stock.warehouse.orderpoint': 5,
};

export function loadSeed(store: Store, registry: Registry): void {
  const groups: SeedRows[] = [
    referenceRows,
    { 'res.partner': partnerRows },
    productRows,
    stockRows,
    saleRows,
    accountingRows,
    metadataRows(registry),
  ];
  for (const group of groups) {
    for (const [model, rows] of Object.entries(group)) {
      if (registry.get(model) === undefined)
        throw new Error(`seed data for unknown model ${model}`);
      for (const row of rows) store.seed(model, row);
    }
  }
  for (const [model, nextId] of Object.entries(NEXT_IDS)) store.setNextId(model, nextId);
  for (const [code, next] of Object.entries(NEXT_SEQUENCES)) store.setSequence(code, next);
}
