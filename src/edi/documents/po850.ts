/**
 * The 850 purchase order: read into a PurchaseOrder, with every fault named by segment,
 * position in the set and element, so the 997 can carry it (AK3/AK4) and a person can fix it.
 */
import {
  x12Error,
  type ElementError,
  type FunctionalGroup,
  type Segment,
  type SegmentError,
  type TransactionSet,
  type X12Error,
} from '../x12/model.ts';

/** The product identifier qualifiers an 850 line may carry (PO106/PO107 and the pairs after). */
export const ITEM_QUALIFIERS = {
  BP: "buyer's part number",
  VP: "vendor's (seller's) part number",
  UP: 'UPC (12 digits)',
  EN: 'EAN / GTIN-13',
  IN: "buyer's item number",
  SK: 'stock keeping unit',
} as const;
export type ItemQualifier = keyof typeof ITEM_QUALIFIERS;

export interface PurchaseOrderLine {
  /** PO101 (assigned identification), else the line's ordinal. */
  lineNumber: string;
  quantity: number;
  /** PO103: EA, CA, BX ... */
  uom: string;
  /** PO104, when the buyer sent a price. */
  unitPrice: number | null;
  /** Product identifiers by qualifier (BP, VP, UP, EN, IN, SK). */
  items: Partial<Record<ItemQualifier, string>>;
  /** Where the line is in the set (for a reply naming it). */
  positionInSet: number;
}

export interface PurchaseOrder {
  /** BEG01: 00 original, 01 cancellation, 05 replace, 06 confirmation. */
  purpose: string;
  /** BEG02: SA stand-alone, NE new, KN ... */
  orderType: string;
  /** BEG03: the buyer's PO number. */
  poNumber: string;
  /** BEG05 as YYYY-MM-DD. */
  poDate: string;
  currency: string | null;
  /** N1*ST: the ship-to's code (N104) under its qualifier (N103), and its name. */
  shipTo: { qualifier: string; code: string; name: string } | null;
  /** DTM*002 (delivery requested) as YYYY-MM-DD. */
  requestedDelivery: string | null;
  lines: PurchaseOrderLine[];
}

export type ReadResult<T> = { ok: true; document: T } | { ok: false; errors: X12Error[] };

/** YYYYMMDD -> YYYY-MM-DD, when it is a real date. */
export function isoDate(value: string): string | null {
  if (!/^\d{8}$/.test(value)) return null;
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? null : iso;
}

export const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** Collects faults of one set, each named by its segment and element. */
export class Faults {
  readonly list: X12Error[] = [];
  constructor(
    private readonly group: FunctionalGroup,
    private readonly set: TransactionSet,
  ) {}

  segment(s: Segment | null, id: string, code: SegmentError, message: string): void {
    const at = s ?? this.set.se ?? this.set.st;
    this.list.push(
      x12Error({
        level: 'transaction',
        message,
        segment: s ? s.id : id,
        segmentIndex: at.index,
        positionInSet: at.positionInSet,
        segmentCode: code,
        setCode: '5',
        groupControl: this.group.control,
        setControl: this.set.control,
      }),
    );
  }

  element(s: Segment, element: number, code: ElementError, message: string): void {
    const value = s.elements[element - 1] ?? '';
    this.list.push(
      x12Error({
        level: 'transaction',
        message: `${s.id}${String(element).padStart(2, '0')}: ${message}`,
        segment: s.id,
        segmentIndex: s.index,
        positionInSet: s.positionInSet,
        element,
        segmentCode: '8',
        elementCode: code,
        badValue: value === '' ? null : value,
        setCode: '5',
        groupControl: this.group.control,
        setControl: this.set.control,
      }),
    );
  }

  /** A mandatory element: present, else a fault. */
  required(s: Segment, element: number, what: string): string | null {
    const value = (s.elements[element - 1] ?? '').trim();
    if (value !== '') return value;
    this.element(s, element, '1', `${what} is mandatory and missing`);
    return null;
  }
}

const KNOWN_850 = new Set([
  'BEG', 'CUR', 'REF', 'PER', 'FOB', 'ITD', 'DTM', 'TD5', 'N9', 'MSG', 'N1', 'N2', 'N3', 'N4',
  'PO1', 'PID', 'PO4', 'SAC', 'CTT', 'AMT',
]); // prettier-ignore

/** Reads an 850; the errors name each segment and element at fault. */
export function read850(group: FunctionalGroup, set: TransactionSet): ReadResult<PurchaseOrder> {
  const f = new Faults(group, set);
  const beg = set.body.find((s) => s.id === 'BEG') ?? null;
  if (!beg || set.body[0] !== beg)
    f.segment(beg, 'BEG', beg ? '7' : '3', 'BEG must be the first segment after ST');
  for (const s of set.body)
    if (!KNOWN_850.has(s.id))
      f.segment(
        s,
        s.id,
        /^[A-Z][A-Z0-9]{1,2}$/.test(s.id) ? '6' : '1',
        `segment ${s.id} is not part of an 850`,
      );
  const purpose = beg ? f.required(beg, 1, 'the purpose code') : null;
  const orderType = beg ? f.required(beg, 2, 'the order type') : null;
  const poNumber = beg ? f.required(beg, 3, 'the purchase order number') : null;
  const rawDate = beg ? f.required(beg, 5, 'the purchase order date') : null;
  const poDate = rawDate === null ? null : isoDate(rawDate);
  if (beg && rawDate !== null && poDate === null)
    f.element(beg, 5, '8', `"${rawDate}" is not a date (CCYYMMDD)`);
  if (beg && purpose !== null && !/^\d{2}$/.test(purpose))
    f.element(beg, 1, '7', `"${purpose}" is not a purpose code (00 original, 05 replace ...)`);
  const cur = set.body.find((s) => s.id === 'CUR');
  const n1 = set.body.find((s) => s.id === 'N1' && s.elements[0] === 'ST');
  let shipTo: PurchaseOrder['shipTo'] = null;
  if (n1) {
    const qualifier = f.required(n1, 3, 'the ship-to identification code qualifier');
    const code = f.required(n1, 4, 'the ship-to identification code');
    if (qualifier !== null && code !== null)
      shipTo = { qualifier, code, name: n1.elements[1] ?? '' };
  }
  const dtm = set.body.find((s) => s.id === 'DTM' && s.elements[0] === '002');
  const requested = dtm ? isoDate(dtm.elements[1] ?? '') : null;
  if (dtm && requested === null)
    f.element(dtm, 2, '8', `"${dtm.elements[1] ?? ''}" is not a date (CCYYMMDD)`);
  const lines = set.body.filter((s) => s.id === 'PO1').map((s, i) => readLine(f, s, i + 1));
  if (lines.length === 0)
    f.segment(null, 'PO1', '3', 'an 850 holds at least one PO1 line; none was sent');
  const ctt = set.body.find((s) => s.id === 'CTT');
  if (ctt && (ctt.elements[0] ?? '') !== String(lines.length))
    f.element(
      ctt,
      1,
      '7',
      `says ${ctt.elements[0] ?? 'nothing'} line item(s); the order holds ${lines.length}`,
    );
  if (f.list.length > 0) return { ok: false, errors: f.list };
  return {
    ok: true,
    document: {
      purpose: purpose!,
      orderType: orderType!,
      poNumber: poNumber!,
      poDate: poDate!,
      currency: cur?.elements[1] ?? null,
      shipTo,
      requestedDelivery: requested,
      lines: lines as PurchaseOrderLine[],
    },
  };
}

function readLine(f: Faults, s: Segment, ordinal: number): PurchaseOrderLine | null {
  const before = f.list.length;
  const qtyText = f.required(s, 2, 'the quantity ordered');
  const quantity = qtyText !== null && DECIMAL.test(qtyText) ? Number(qtyText) : Number.NaN;
  if (qtyText !== null && !(quantity > 0))
    f.element(s, 2, '6', `"${qtyText}" is not a quantity above zero`);
  const uom = f.required(s, 3, 'the unit of measure');
  if (uom !== null && !/^[A-Z0-9]{2}$/.test(uom))
    f.element(s, 3, '7', `"${uom}" is not a unit of measure code (EA, CA, BX ...)`);
  const priceText = (s.elements[3] ?? '').trim();
  if (priceText !== '' && !DECIMAL.test(priceText))
    f.element(s, 4, '6', `"${priceText}" is not a price`);
  const items = readItemIds(f, s, 6);
  if (Object.keys(items).length === 0 && f.list.length === before)
    f.element(s, 7, '1', 'the line names no product (BP, VP, UP, EN, IN or SK)');
  if (f.list.length > before) return null;
  return {
    lineNumber: (s.elements[0] ?? '').trim() || String(ordinal),
    quantity,
    uom: uom!,
    unitPrice: priceText === '' ? null : Number(priceText),
    items,
    positionInSet: s.positionInSet ?? 0,
  };
}

/**
 * The product ids of a line: qualifier and id pairs from element `from` on (PO106, POC08),
 * each fault (an id without qualifier, a UPC not 12 digits) named.
 */
export function readItemIds(f: Faults, s: Segment, from: number): PurchaseOrderLine['items'] {
  const items: PurchaseOrderLine['items'] = {};
  const fault = f.element.bind(f);
  for (let e = from; e <= s.elements.length; e += 2) {
    const qualifier = (s.elements[e - 1] ?? '').trim();
    const id = (s.elements[e] ?? '').trim();
    if (qualifier === '' && id === '') continue;
    if (id === '') fault(s, e + 1, '2', `the product id for qualifier ${qualifier} is missing`);
    else if (qualifier === '') fault(s, e, '2', `product id "${id}" has no qualifier`);
    else if (qualifier in ITEM_QUALIFIERS) items[qualifier as ItemQualifier] = id;
  }
  if (items.UP !== undefined && !/^\d{12}$/.test(items.UP)) {
    const e = s.elements.indexOf('UP') + 2;
    fault(s, e, '6', `UPC "${items.UP}" is not 12 digits`);
  }
  return items;
}
