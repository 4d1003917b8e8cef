/**
 * The 856 ship notice (advance ship notice): the shipment (our delivery's name, ship date,
 * carrier, tracking number, ship-to), the buyer's order in it, and each item with its
 * quantity, in the shipment / order / item hierarchy (HL levels S, O, I).
 */
import { type SegmentData } from '../x12/generate.ts';
import type { ItemQualifier } from './po850.ts';

export interface ShipNoticeItem {
  quantity: number;
  uom: string;
  items: Partial<Record<ItemQualifier, string>>;
}

export interface ShipNotice {
  /** Our delivery's name (BSN02), and when it shipped. */
  shipmentId: string;
  shippedAt: Date;
  /** The carrier as the partner knows it (TD503), and the tracking number (REF*CN). */
  carrier: string;
  trackingRef: string;
  shipTo: { code: string; name: string } | null;
  poNumber: string;
  items: ShipNoticeItem[];
}

const amount = (n: number) => String(Math.round(n * 10_000) / 10_000);

export function write856(n: ShipNotice): SegmentData[] {
  const iso = n.shippedAt.toISOString();
  const date = iso.slice(0, 10).replaceAll('-', '');
  const out: SegmentData[] = [
    ['BSN', '00', n.shipmentId, date, iso.slice(11, 16).replace(':', ''), '0001'],
    ['HL', '1', '', 'S'],
    // TD502 ZZ: the carrier's code is mutually defined (our carriers are not all SCACs).
    ['TD5', 'B', 'ZZ', n.carrier],
    ['REF', 'CN', n.trackingRef],
    ['DTM', '011', date],
    ...(n.shipTo ? [['N1', 'ST', n.shipTo.name, '92', n.shipTo.code] as SegmentData] : []),
    ['HL', '2', '1', 'O'],
    ['PRF', n.poNumber],
  ];
  n.items.forEach((item, i) => {
    out.push(['HL', String(i + 3), '2', 'I']);
    out.push(['LIN', '', ...Object.entries(item.items).flatMap(([q, id]) => [q, id])]);
    out.push(['SN1', '', amount(item.quantity), item.uom]);
  });
  out.push(['CTT', String(n.items.length + 2)]);
  return out;
}
