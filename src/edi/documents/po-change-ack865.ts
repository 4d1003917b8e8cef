/**
 * The 865 purchase order change acknowledgment (seller's answer to an 860): whether the change
 * was taken (BCA02 AT all of it, AC in part, RJ none: the order was shipped or is unknown), our
 * order's name (BCA09), and per changed line the change as asked (POC) and what we did (ACK).
 */
import { x12Date, type SegmentData } from '../x12/generate.ts';
import type { ChangeCode } from './po-change860.ts';
import type { ItemQualifier } from './po850.ts';

export interface ChangeAckLine {
  lineNumber: string;
  change: ChangeCode;
  /** The line's quantity after the change, in the partner's unit, as asked. */
  quantity: number;
  uom: string | null;
  unitPrice: number | null;
  items: Partial<Record<ItemQualifier, string>>;
  /** IA the change is taken; IR refused. */
  status: 'IA' | 'IR';
}

export interface PurchaseOrderChangeAck {
  /** BCH01 of the change answered: 01 cancellation, 04 change. */
  purpose: '01' | '04';
  poNumber: string;
  /** YYYY-MM-DD. */
  poDate: string;
  changeSequence: string | null;
  /** Our sale order's name; null when there is none. */
  orderName: string | null;
  /** The whole change refused (BCA02 RJ), whatever its lines. */
  refused: boolean;
  /** The new requested delivery date taken, when the change carried one. */
  requestedDelivery: string | null;
  lines: ChangeAckLine[];
  at: Date;
}

const compact = (iso: string) => iso.replaceAll('-', '');
const amount = (n: number) => String(Math.round(n * 10_000) / 10_000);

/** BCA02: AT all accepted, AC accepted in part, RJ refused. */
export function changeAckType(ack: PurchaseOrderChangeAck): 'AT' | 'AC' | 'RJ' {
  if (ack.refused || (ack.lines.length > 0 && ack.lines.every((l) => l.status === 'IR')))
    return 'RJ';
  return ack.lines.every((l) => l.status === 'IA') ? 'AT' : 'AC';
}

export function write865(ack: PurchaseOrderChangeAck): SegmentData[] {
  const out: SegmentData[] = [
    [
      'BCA',
      ack.purpose,
      changeAckType(ack),
      ack.poNumber,
      '',
      ack.changeSequence ?? '',
      compact(ack.poDate),
      '',
      '',
      ack.orderName ?? '',
      x12Date(ack.at),
    ],
  ];
  if (ack.requestedDelivery && !ack.refused)
    out.push(['DTM', '002', compact(ack.requestedDelivery)]);
  for (const line of ack.lines) {
    const ids = Object.entries(line.items).flatMap(([q, id]) => [q, id]);
    out.push([
      'POC',
      line.lineNumber,
      line.change,
      amount(line.quantity),
      '',
      line.uom ?? '',
      line.unitPrice === null ? '' : amount(line.unitPrice),
      '',
      ...ids,
    ]);
    out.push([
      'ACK',
      line.status,
      amount(line.status === 'IA' ? line.quantity : 0),
      line.uom ?? '',
    ]);
  }
  out.push(['CTT', String(ack.lines.length)]);
  return out;
}
