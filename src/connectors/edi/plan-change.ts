/**
 * How an 860 changes the sale order it names: each POC line against the lines we acknowledged
 * (855, then 865s) and the order's lines in Odoo. Quantities are set (never added to), so
 * applying a plan twice leaves the order as applying it once; a line is cancelled by setting
 * its quantity to 0 (Odoo keeps the lines of a confirmed order). Pure: the step reads.
 */
import { LineStatus, type ChangeAckLine, type ChangeCode } from '../../edi/index.ts';
import type { EdiPartner } from './config.ts';
import { lineIsOf, unitFactor, type AcknowledgedLine } from './order-lines.ts';

export interface ChangeLineIn {
  line: string;
  change: ChangeCode;
  quantity: number;
  uom: string | null;
  unit_price: number | null;
  items: Record<string, string>;
  default_code: string | null;
  barcode: string | null;
}

export interface SaleLineIn {
  id: number;
  product_id: [number, string] | false;
  product_uom_qty: number;
  qty_delivered?: number | undefined;
  price_unit: number;
}

export interface ChangeProductIn {
  id: number;
  default_code: string | false;
  barcode: string | false;
  list_price: number;
}

export interface PlannedChangeLine extends ChangeAckLine {
  reason: string | null;
}

export interface ChangePlan {
  /** sale.order.line commands: [1, id, values] to change, [0, 0, values] to add. */
  commands: unknown[];
  lines: PlannedChangeLine[];
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
const text = (v: string | false) => (typeof v === 'string' ? v : null);

export function planChange(
  partner: EdiPartner,
  change: ChangeLineIn[],
  acknowledged: AcknowledgedLine[],
  saleLines: SaleLineIn[],
  products: ChangeProductIn[],
): ChangePlan {
  const commands: unknown[] = [];
  const lines = change.map((c): PlannedChangeLine => {
    const ordered = acknowledged.find((a) => a.line === c.line);
    const base = {
      lineNumber: c.line,
      change: c.change,
      quantity: c.quantity,
      // A deleted line need not repeat its unit: it is the one acknowledged.
      uom: c.uom ?? ordered?.uom ?? null,
      unitPrice: c.unit_price,
      items: c.items,
    };
    const refuse = (reason: string): PlannedChangeLine => ({
      ...base,
      status: LineStatus.rejected,
      reason,
    });
    const take = (): PlannedChangeLine => ({ ...base, status: LineStatus.accepted, reason: null });
    if (c.change === 'AI') {
      if (ordered) return refuse(`line ${c.line} is on the order already; change it instead`);
      const product =
        products.find((p) => c.default_code !== null && p.default_code === c.default_code) ??
        products.find((p) => c.barcode !== null && p.barcode === c.barcode);
      if (!product)
        return refuse(`no product has ${c.default_code ?? c.barcode ?? 'an id we map'}`);
      const factor = unitFactor(partner, text(product.default_code), c.uom ?? '');
      if (factor === null) return refuse(`unit ${c.uom} has no conversion for this partner`);
      commands.push([
        0,
        0,
        {
          product_id: product.id,
          product_uom_qty: round(c.quantity * factor),
          price_unit: product.list_price,
        },
      ]);
      return take();
    }
    if (!ordered) return refuse(`the order has no line ${c.line}`);
    const product = products.find((p) =>
      lineIsOf(partner, ordered, text(p.default_code), text(p.barcode)),
    );
    const saleLine = saleLines.find(
      (l) => product && Array.isArray(l.product_id) && l.product_id[0] === product.id,
    );
    if (!product || !saleLine) return refuse(`line ${c.line} is not on the sale order any more`);
    if (c.change === 'NC') return take();
    const uom = c.uom ?? ordered.uom;
    const factor = unitFactor(partner, text(product.default_code), uom);
    if (factor === null) return refuse(`unit ${uom} has no conversion for this partner`);
    const quantity = c.change === 'DI' ? 0 : round(c.quantity * factor);
    const values: Record<string, unknown> = {};
    if (c.change !== 'PC') {
      if (quantity < (saleLine.qty_delivered ?? 0))
        return refuse(`${saleLine.qty_delivered} of line ${c.line} are delivered already`);
      values.product_uom_qty = quantity;
    }
    if (c.unit_price !== null && (c.change === 'PC' || c.change === 'CA')) {
      const ours = product.list_price * factor;
      const tolerance = Math.max(0.005, (ours * partner.odoo.priceTolerancePercent) / 100);
      if (Math.abs(c.unit_price - ours) > tolerance)
        return refuse(`price ${c.unit_price} is not ours (${round(ours)})`);
      values.price_unit = round(c.unit_price / factor);
    }
    commands.push([1, saleLine.id, values]);
    return take();
  });
  return { commands, lines };
}
