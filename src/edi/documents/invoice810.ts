/**
 * The 810 invoice: the posted invoice as the buyer's accounts payable reads it, against
 * their PO number, line by line with their item numbers, and the total (TDS, in cents).
 */
import { type SegmentData } from '../x12/generate.ts';
import type { ItemQualifier } from './po850.ts';

export interface InvoiceLine {
  quantity: number;
  uom: string;
  unitPrice: number;
  items: Partial<Record<ItemQualifier, string>>;
}

export interface Invoice {
  /** Our invoice number (BIG02) and its date, YYYY-MM-DD. */
  invoiceNumber: string;
  invoiceDate: string;
  /** The buyer's PO number (BIG04) and our order's name (REF*VN). */
  poNumber: string;
  orderName: string;
  lines: InvoiceLine[];
  /** The invoice total, taxes included. */
  total: number;
}

const amount = (n: number) => String(Math.round(n * 10_000) / 10_000);

export function write810(inv: Invoice): SegmentData[] {
  return [
    ['BIG', inv.invoiceDate.replaceAll('-', ''), inv.invoiceNumber, '', inv.poNumber],
    ['REF', 'VN', inv.orderName],
    ...inv.lines.map((line, i): SegmentData => [
      'IT1',
      String(i + 1),
      amount(line.quantity),
      line.uom,
      amount(line.unitPrice),
      '',
      ...Object.entries(line.items).flatMap(([q, id]) => [q, id]),
    ]),
    // TDS01 has two implied decimals: 1234.50 is 123450.
    ['TDS', String(Math.round(inv.total * 100))],
    ['CTT', String(inv.lines.length)],
  ];
}
