/**
 * The lines of an EDI order as the partner ordered them, read back from the answers we sent
 * (the 855, then each 865): their line number (PO101 / POC01), unit (PO103 / POC05) and item
 * ids. The 856 and 810 give quantities and prices back in the partner's unit from them, and an
 * 860 names lines by their number. Our documents are the record: what we acknowledged is what
 * the partner holds, and nothing else has to be kept in step with it.
 */
import type { Kysely } from 'kysely';
import { parseInterchange } from '../../edi/index.ts';
import type { Database } from '../../store/index.ts';
import type { EdiPartner } from './config.ts';
import { documentBodiesAbout } from './store.ts';

export interface AcknowledgedLine {
  line: string;
  uom: string;
  items: Record<string, string>;
  /** ACK01 of the line's first ACK (IA, IP, IB, IR ...). */
  status: string;
}

function idPairs(elements: string[], from: number): Record<string, string> {
  const items: Record<string, string> = {};
  for (let i = from; i + 1 < elements.length; i += 2)
    if (elements[i] && elements[i + 1]) items[elements[i]!] = elements[i + 1]!;
  return items;
}

/** The lines of one 855 or 865 body. */
function linesOf(body: string): AcknowledgedLine[] {
  const out: AcknowledgedLine[] = [];
  const segments = parseInterchange(body).interchange.groups[0]?.transactions[0]?.body ?? [];
  segments.forEach((s, i) => {
    const e = s.elements;
    const ack = segments[i + 1]?.id === 'ACK' ? (segments[i + 1]!.elements[0] ?? '') : '';
    // PO1: line, quantity, unit, price, basis, ids from PO106; POC: line, change, quantity,
    // left to receive, unit, price, basis, ids from POC08.
    if (s.id === 'PO1')
      out.push({ line: e[0] ?? '', uom: e[2] ?? '', items: idPairs(e, 5), status: ack });
    if (s.id === 'POC')
      out.push({ line: e[0] ?? '', uom: e[4] ?? '', items: idPairs(e, 7), status: ack });
  });
  return out;
}

/**
 * The PO's lines as last acknowledged: the 855's, each replaced or added to by the 865s in the
 * order they were queued. Lines we rejected (IR) are left out: no product stands behind them.
 */
export async function acknowledgedLines(
  db: Kysely<Database>,
  partner: string,
  poNumber: string,
): Promise<AcknowledgedLine[]> {
  const byLine = new Map<string, AcknowledgedLine>();
  for (const body of await documentBodiesAbout(db, partner, ['855', '865'], poNumber))
    for (const line of linesOf(body)) byLine.set(line.line, line);
  return [...byLine.values()].filter((l) => l.status !== 'IR');
}

/** How many of the product's unit one of the partner's is, for this item (null: unknown). */
export function unitFactor(partner: EdiPartner, defaultCode: string | null, uom: string) {
  const map = partner.odoo;
  return (
    (defaultCode === null ? undefined : map.itemUnits[defaultCode]?.[uom]) ?? map.units[uom] ?? null
  );
}

/** Whether an acknowledged line is of the product with this internal reference or barcode. */
export function lineIsOf(
  partner: EdiPartner,
  line: AcknowledgedLine,
  defaultCode: string | null,
  barcode: string | null,
): boolean {
  const buyerPart = line.items.BP ?? line.items.IN ?? line.items.SK;
  const code =
    (buyerPart === undefined ? undefined : partner.odoo.items[buyerPart]) ?? line.items.VP;
  if (defaultCode !== null && code === defaultCode) return true;
  const lineBarcode = line.items.UP ?? line.items.EN;
  return barcode !== null && lineBarcode !== undefined && lineBarcode === barcode;
}
