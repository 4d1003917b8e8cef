/**
 * The 855 purchase order acknowledgment: the order as we took it, line by line (accepted,
 * changed, backordered or rejected), with the seller's order number.
 */
import { x12Date, type SegmentData } from '../x12/generate.ts';
import type { ItemQualifier } from './po850.ts';

/** ACK01 line status codes. */
export const LineStatus = {
  accepted: 'IA',
  rejected: 'IR',
  backordered: 'IB',
  priceChanged: 'IP',
  quantityChanged: 'IQ',
} as const;
export type LineStatus = (typeof LineStatus)[keyof typeof LineStatus];

export interface AckLine {
  lineNumber: string;
  /** As ordered (PO1 repeats the buyer's line). */
  quantityOrdered: number;
  uom: string;
  unitPrice: number | null;
  items: Partial<Record<ItemQualifier, string>>;
  status: LineStatus;
  /** What we will ship (ACK02), and when (ACK05, qualifier 068 current schedule ship). */
  quantity: number;
  shipDate: string | null;
  /**
   * The rest of the line that cannot be promised now (a second ACK, IB): the line is split
   * into what ships and what is backordered.
   */
  backordered?: number;
  /** When the backordered rest is expected to ship (the second ACK's 068 date), when known. */
  backorderDate?: string | null;
}

export interface PurchaseOrderAck {
  poNumber: string;
  /** YYYY-MM-DD. */
  poDate: string;
  /** Our sale order's name (BAK08); null when no order was made (BAK02 RJ). */
  orderName: string | null;
  lines: AckLine[];
  at: Date;
}

const compact = (iso: string) => iso.replaceAll('-', '');

/** BAK02: AD all lines as ordered; AC with changes (a backordered part is one); RJ nothing accepted. */
export function ackType(lines: AckLine[]): 'AD' | 'AC' | 'RJ' {
  if (lines.every((l) => l.status === 'IR')) return 'RJ';
  return lines.every((l) => l.status === 'IA' && !(l.backordered ?? 0)) ? 'AD' : 'AC';
}

function amount(n: number): string {
  return String(Math.round(n * 10_000) / 10_000);
}

export function write855(ack: PurchaseOrderAck): SegmentData[] {
  const out: SegmentData[] = [
    [
      'BAK',
      '00',
      ackType(ack.lines),
      ack.poNumber,
      compact(ack.poDate),
      '',
      '',
      '',
      ack.orderName ?? '',
      x12Date(ack.at),
    ],
  ];
  for (const line of ack.lines) {
    const ids = Object.entries(line.items).flatMap(([q, id]) => [q, id]);
    out.push([
      'PO1',
      line.lineNumber,
      amount(line.quantityOrdered),
      line.uom,
      line.unitPrice === null ? '' : amount(line.unitPrice),
      '',
      ...ids,
    ]);
    out.push([
      'ACK',
      line.status,
      amount(line.quantity),
      line.uom,
      ...(line.shipDate ? ['068', compact(line.shipDate)] : []),
    ]);
    if (line.backordered !== undefined && line.backordered > 0)
      out.push([
        'ACK',
        'IB',
        amount(line.backordered),
        line.uom,
        ...(line.backorderDate ? ['068', compact(line.backorderDate)] : []),
      ]);
  }
  out.push(['CTT', String(ack.lines.length)]);
  return out;
}
