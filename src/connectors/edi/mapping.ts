/**
 * A purchase order as the event the packs act on: the partner's customer and ship-to in
 * Odoo, and for each line the product's internal reference (from the partner's item
 * cross-reference, else the vendor part number we gave them) and barcode (UPC or EAN).
 */
import type { PurchaseOrder, PurchaseOrderChange, X12Error } from '../../edi/index.ts';
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
    ...partnerFields(partner),
    ...ref,
    po_number: po.poNumber,
    po_date: po.poDate,
    purpose: po.purpose,
    order_type: po.orderType,
    currency: po.currency,
    requested_delivery: po.requestedDelivery,
    ship_to: po.shipTo
      ? {
          code: po.shipTo.code,
          qualifier: po.shipTo.qualifier,
          name: po.shipTo.name,
          partner_id: map.shipTo[po.shipTo.code] ?? null,
        }
      : null,
    lines: po.lines.map((line) => ({
      line: line.lineNumber,
      quantity: line.quantity,
      uom: line.uom,
      unit_price: line.unitPrice,
      items: line.items,
      ...productKeys(partner, line.items),
    })),
  };
}

/** What the order and change workflows need of the partner: who it is, its customer in Odoo, and how its units and prices are read. */
function partnerFields(partner: EdiPartner) {
  const map = partner.odoo;
  return {
    partner: partner.code,
    partner_name: partner.name,
    customer_id: map.customerId,
    // The partner's units in the product's unit, and an item's own (by internal reference).
    units: map.units,
    item_units: map.itemUnits,
    price_tolerance_percent: map.priceTolerancePercent,
  };
}

/** A line's internal reference (the partner's cross-reference, else our VP) and barcode. */
function productKeys(partner: EdiPartner, items: PurchaseOrder['lines'][number]['items']) {
  const map = partner.odoo;
  const buyerPart = items.BP ?? items.IN ?? items.SK;
  const crossRef = buyerPart === undefined ? undefined : map.items[buyerPart];
  return {
    default_code: crossRef ?? items.VP ?? null,
    barcode: map.matchBarcode ? (items.UP ?? items.EN ?? null) : null,
  };
}

/** An 860 as the event the change workflow acts on. */
export function changeEventPayload(
  partner: EdiPartner,
  change: PurchaseOrderChange,
  ref: EnvelopeRef,
): Record<string, unknown> {
  return {
    ...partnerFields(partner),
    ...ref,
    po_number: change.poNumber,
    po_date: change.poDate,
    purpose: change.purpose,
    change_sequence: change.changeSequence,
    requested_delivery: change.requestedDelivery,
    lines: change.lines.map((line) => ({
      line: line.lineNumber,
      change: line.change,
      quantity: line.quantity,
      uom: line.uom,
      unit_price: line.unitPrice,
      items: line.items,
      ...productKeys(partner, line.items),
    })),
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
