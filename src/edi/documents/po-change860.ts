/**
 * The 860 purchase order change (buyer initiated): read into a PurchaseOrderChange, with every
 * fault named by segment and element like the 850's. BCH carries the PO it changes, each POC a
 * line changed (its number in the original order, what changes, the new quantity and price),
 * DTM*002 a new requested delivery date.
 */
import type { FunctionalGroup, TransactionSet } from '../x12/model.ts';
import {
  DECIMAL,
  Faults,
  isoDate,
  readItemIds,
  type PurchaseOrderLine,
  type ReadResult,
} from './po850.ts';

/** POC02 line item change codes we act on. */
export const CHANGE_CODES = {
  AI: 'add an item',
  DI: 'delete the item',
  QI: 'quantity increase',
  QD: 'quantity decrease',
  PC: 'price change',
  CA: 'changes to the line',
  NC: 'no change',
} as const;
export type ChangeCode = keyof typeof CHANGE_CODES;

export interface PurchaseOrderChangeLine {
  /** POC01: the line's number in the order (PO101), or a new one for an added line. */
  lineNumber: string;
  change: ChangeCode;
  /** POC03: the line's quantity after the change (0 for a deleted line). */
  quantity: number;
  /** POC05; null on a deleted line that does not repeat it. */
  uom: string | null;
  /** POC06, when sent. */
  unitPrice: number | null;
  items: PurchaseOrderLine['items'];
  positionInSet: number;
}

export interface PurchaseOrderChange {
  /** BCH01: 01 cancellation (of the whole order), 04 change. */
  purpose: '01' | '04';
  /** BCH03: the buyer's PO number the change is for. */
  poNumber: string;
  /** BCH05: the buyer's sequence number of this change, when sent. */
  changeSequence: string | null;
  /** BCH06 as YYYY-MM-DD. */
  poDate: string;
  /** DTM*002: the new requested delivery date. */
  requestedDelivery: string | null;
  lines: PurchaseOrderChangeLine[];
}

const KNOWN_860 = new Set([
  'BCH', 'CUR', 'REF', 'PER', 'FOB', 'DTM', 'TD5', 'N9', 'MSG', 'N1', 'N2', 'N3', 'N4',
  'POC', 'PID', 'PO4', 'SAC', 'CTT', 'AMT',
]); // prettier-ignore

/** Reads an 860; the errors name each segment and element at fault. */
export function read860(
  group: FunctionalGroup,
  set: TransactionSet,
): ReadResult<PurchaseOrderChange> {
  const f = new Faults(group, set);
  const bch = set.body.find((s) => s.id === 'BCH') ?? null;
  if (!bch || set.body[0] !== bch)
    f.segment(bch, 'BCH', bch ? '7' : '3', 'BCH must be the first segment after ST');
  for (const s of set.body)
    if (!KNOWN_860.has(s.id))
      f.segment(
        s,
        s.id,
        /^[A-Z][A-Z0-9]{1,2}$/.test(s.id) ? '6' : '1',
        `segment ${s.id} is not part of an 860`,
      );
  const purpose = bch ? f.required(bch, 1, 'the purpose code') : null;
  if (bch && purpose !== null && purpose !== '01' && purpose !== '04')
    f.element(bch, 1, '7', `"${purpose}" is not a purpose we act on (01 cancellation, 04 change)`);
  if (bch) f.required(bch, 2, 'the order type');
  const poNumber = bch ? f.required(bch, 3, 'the purchase order number') : null;
  const rawDate = bch ? f.required(bch, 6, 'the purchase order date') : null;
  const poDate = rawDate === null ? null : isoDate(rawDate);
  if (bch && rawDate !== null && poDate === null)
    f.element(bch, 6, '8', `"${rawDate}" is not a date (CCYYMMDD)`);
  const dtm = set.body.find((s) => s.id === 'DTM' && s.elements[0] === '002');
  const requested = dtm ? isoDate(dtm.elements[1] ?? '') : null;
  if (dtm && requested === null)
    f.element(dtm, 2, '8', `"${dtm.elements[1] ?? ''}" is not a date (CCYYMMDD)`);
  const pocs = set.body.filter((s) => s.id === 'POC');
  const lines = pocs.map((s) => readChange(f, s));
  if (purpose === '04' && pocs.length === 0 && !dtm)
    f.segment(
      null,
      'POC',
      '3',
      'an 860 change holds a POC line or a new DTM*002 date; none was sent',
    );
  const ctt = set.body.find((s) => s.id === 'CTT');
  if (ctt && (ctt.elements[0] ?? '') !== String(pocs.length))
    f.element(
      ctt,
      1,
      '7',
      `says ${ctt.elements[0] ?? 'nothing'} line item(s); the change holds ${pocs.length}`,
    );
  if (f.list.length > 0) return { ok: false, errors: f.list };
  return {
    ok: true,
    document: {
      purpose: purpose as '01' | '04',
      poNumber: poNumber!,
      changeSequence: (bch!.elements[4] ?? '').trim() || null,
      poDate: poDate!,
      requestedDelivery: requested,
      lines: lines as PurchaseOrderChangeLine[],
    },
  };
}

function readChange(f: Faults, s: TransactionSet['body'][number]): PurchaseOrderChangeLine | null {
  const before = f.list.length;
  const lineNumber = f.required(s, 1, 'the line number');
  const change = f.required(s, 2, 'the change code');
  if (change !== null && !(change in CHANGE_CODES))
    f.element(
      s,
      2,
      '7',
      `"${change}" is not a change we act on (${Object.keys(CHANGE_CODES).join(', ')})`,
    );
  const deleted = change === 'DI';
  const qtyText = (s.elements[2] ?? '').trim();
  const quantity = deleted ? 0 : DECIMAL.test(qtyText) ? Number(qtyText) : Number.NaN;
  if (!deleted && qtyText === '')
    f.element(s, 3, '1', 'the quantity ordered is mandatory and missing');
  else if (!deleted && !(quantity >= 0))
    f.element(s, 3, '6', `"${qtyText}" is not a quantity of zero or more`);
  const uom = (s.elements[4] ?? '').trim();
  if (!deleted && uom === '') f.element(s, 5, '1', 'the unit of measure is mandatory and missing');
  else if (uom !== '' && !/^[A-Z0-9]{2}$/.test(uom))
    f.element(s, 5, '7', `"${uom}" is not a unit of measure code (EA, CA, BX ...)`);
  const priceText = (s.elements[5] ?? '').trim();
  if (priceText !== '' && !DECIMAL.test(priceText))
    f.element(s, 6, '6', `"${priceText}" is not a price`);
  const items = readItemIds(f, s, 8);
  if (change === 'AI' && Object.keys(items).length === 0 && f.list.length === before)
    f.element(s, 9, '1', 'an added line names its product (BP, VP, UP, EN, IN or SK)');
  if (f.list.length > before) return null;
  return {
    lineNumber: lineNumber!,
    change: change as ChangeCode,
    quantity,
    uom: uom === '' ? null : uom,
    unitPrice: priceText === '' ? null : Number(priceText),
    items,
    positionInSet: s.positionInSet ?? 0,
  };
}
