/**
 * A purchase order as the event the packs act on: the partner's customer and ship-to in
 * Odoo, and for each line the product's internal reference (from the partner's item
 * cross-reference, else the vendor part number we gave them) and barcode (UPC or EAN).
 */
import type { PurchaseOrder, X12Error } from '../../edi/index.ts';
import { describeLocation } from '../../edi/index.ts';
import type { EdiPartner } from './config.ts';

export interface EnvelopeRef {
  interchange: string;
  group: string;
  set: string;
  version: string;
}

export function orderEventPayload(
  partner: EdiPartner,
  po: PurchaseOrder,
  ref: EnvelopeRef,
): Record<string, unknown> {
  const map = partner.odoo;
  return {
    partner: partner.code,
    partner_name: partner.name,
    ...ref,
    po_number: po.poNumber,
    po_date: po.poDate,
    purpose: po.purpose,
    order_type: po.orderType,
    currency: po.currency,
    requested_delivery: po.requestedDelivery,
    customer_id: map.customerId,
    ship_to: po.shipTo
      ? {
          code: po.shipTo.code,
          qualifier: po.shipTo.qualifier,
          name: po.shipTo.name,
          partner_id: map.shipTo[po.shipTo.code] ?? null,
        }
      : null,
    lines: po.lines.map((line) => {
      const buyerPart = line.items.BP ?? line.items.IN ?? line.items.SK;
      const crossRef = buyerPart === undefined ? undefined : map.items[buyerPart];
      const barcode = map.matchBarcode ? (line.items.UP ?? line.items.EN ?? null) : null;
      return {
        line: line.lineNumber,
        quantity: line.quantity,
        uom: line.uom,
        unit_price: line.unitPrice,
        items: line.items,
        default_code: crossRef ?? line.items.VP ?? null,
        barcode,
      };
    }),
  };
}

/** Errors as a case and a person read them. */
export function errorList(errors: X12Error[]): Record<string, unknown>[] {
  return errors.map((e) => ({
    location: describeLocation(e),
    message: e.message,
    segment: e.segment,
    position: e.positionInSet ?? e.segmentIndex,
    element: e.element,
  }));
}
