/**
 * How each line of an EDI order is answered, from what Odoo says of its product: the unit
 * conversion (the partner's CA, BX, DZ ... to the product's unit), the price (ours when the
 * buyer's is beyond the partner's tolerance), what can ship now (the free quantity) and when
 * the rest is expected (the incoming purchase receipts, else the vendor's lead time). Pure:
 * the step (steps.ts) reads nothing itself.
 */
import { LineStatus, type AckLine } from '../../edi/index.ts';

/** A buyer's price within this of ours is ours (rounding in their system). */
const PRICE_ROUNDING = 0.005;

export interface OrderLineIn {
  line: string;
  quantity: number;
  uom: string;
  unit_price: number | null;
  items: Record<string, string>;
  default_code: string | null;
  barcode: string | null;
}

export interface ProductIn {
  id: number;
  default_code: string | false;
  barcode: string | false;
  list_price: number;
  free_qty?: number | undefined;
  product_tmpl_id?: [number, string] | false | undefined;
}

/**
 * An incoming receipt's move (a confirmed purchase not yet received): its demand is what is
 * coming (Odoo pre-fills a receipt's `quantity` with the demand, so it says nothing yet).
 */
export interface ReceiptIn {
  product_id: [number, string] | false;
  product_uom_qty: number;
  /** Scheduled date, "YYYY-MM-DD HH:MM:SS". */
  date: string | false;
}

export interface SupplierIn {
  product_tmpl_id: [number, string] | false;
  /** The vendor's lead time in days. */
  delay: number;
}

export interface PlanInput {
  lines: OrderLineIn[];
  products: ProductIn[];
  /** The partner's units (with the built-in ones) and an item's own, by internal reference. */
  units: Record<string, number>;
  itemUnits: Record<string, Record<string, number>>;
  priceTolerancePercent: number;
  /** YYYY-MM-DD the lines are promised for (ACK05), when known. */
  shipDate: string | null;
  receipts: ReceiptIn[];
  suppliers: SupplierIn[];
  /** YYYY-MM-DD, the day the order is planned (lead times count from it). */
  today: string;
}

export interface PlannedLine extends AckLine {
  reason: string | null;
  /** The Odoo product and how many of its unit one of the partner's is (null when rejected). */
  productId: number | null;
  unitFactor: number | null;
}

const round = (n: number, places = 6) => Math.round(n * 10 ** places) / 10 ** places;

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + Math.ceil(days));
  return d.toISOString().slice(0, 10);
}

function findProduct(line: OrderLineIn, products: ProductIn[]): ProductIn | undefined {
  return (
    products.find((p) => line.default_code !== null && p.default_code === line.default_code) ??
    products.find((p) => line.barcode !== null && p.barcode === line.barcode)
  );
}

/**
 * When a quantity of a product not free now is expected: the receipts of the product in date
 * order, each taken once across the order's lines (`taken` counts what earlier lines used);
 * the date of the receipt that completes the quantity. When receipts cannot cover it, today
 * plus the vendor's lead time; with neither, null (the 855 says IB without a date).
 */
class Promises {
  readonly #taken = new Map<number, number>();
  constructor(private readonly input: PlanInput) {}

  dateFor(product: ProductIn, quantity: number): string | null {
    const receipts = this.input.receipts
      .filter((r) => Array.isArray(r.product_id) && r.product_id[0] === product.id)
      .filter((r) => typeof r.date === 'string')
      .sort((a, b) => String(a.date).localeCompare(String(b.date)));
    const already = this.#taken.get(product.id) ?? 0;
    this.#taken.set(product.id, already + quantity);
    let incoming = 0;
    for (const r of receipts) {
      incoming += Math.max(0, r.product_uom_qty);
      if (incoming >= already + quantity - 1e-9) return String(r.date).slice(0, 10);
    }
    const template = Array.isArray(product.product_tmpl_id) ? product.product_tmpl_id[0] : null;
    const supplier = this.input.suppliers.find(
      (s) => Array.isArray(s.product_tmpl_id) && s.product_tmpl_id[0] === template,
    );
    return supplier ? addDays(this.input.today, supplier.delay) : null;
  }
}

export function planOrderLines(input: PlanInput): PlannedLine[] {
  const freeLeft = new Map<number, number>();
  const promises = new Promises(input);
  return input.lines.map((line) => {
    const base = {
      lineNumber: line.line,
      quantityOrdered: line.quantity,
      uom: line.uom,
      unitPrice: line.unit_price,
      items: line.items,
    };
    const reject = (reason: string): PlannedLine => ({
      ...base,
      status: LineStatus.rejected,
      quantity: 0,
      shipDate: null,
      reason,
      productId: null,
      unitFactor: null,
    });
    const product = findProduct(line, input.products);
    if (!product)
      return reject(
        `no product has ${[line.default_code && `internal reference ${line.default_code}`, line.barcode && `barcode ${line.barcode}`].filter(Boolean).join(' or ') || 'an identifier we map'}`,
      );
    const code = typeof product.default_code === 'string' ? product.default_code : '';
    const factor = input.itemUnits[code]?.[line.uom] ?? input.units[line.uom];
    if (factor === undefined)
      return reject(
        `unit ${line.uom} has no conversion to ${code || `product ${product.id}`}'s unit for this partner (known: ${Object.keys({ ...input.units, ...input.itemUnits[code] }).join(', ')})`,
      );
    // Prices per the partner's unit: ours is Odoo's list price times the factor.
    const ourPrice = round(product.list_price * factor, 4);
    const tolerance = Math.max(PRICE_ROUNDING, (ourPrice * input.priceTolerancePercent) / 100);
    const priceDiffers =
      line.unit_price !== null && Math.abs(line.unit_price - ourPrice) > tolerance;
    const free =
      product.free_qty === undefined
        ? Infinity
        : (freeLeft.get(product.id) ?? Math.max(0, product.free_qty));
    // Whole units of the partner's ship now (half a case does not); the rest is backordered.
    const promised = Math.min(line.quantity, Math.floor(round(free / factor)));
    freeLeft.set(product.id, free - promised * factor);
    const backordered = round(line.quantity - promised);
    const backorderDate =
      backordered > 0 ? promises.dateFor(product, round(backordered * factor)) : null;
    const planned = {
      ...base,
      unitPrice: priceDiffers ? ourPrice : line.unit_price,
      reason: priceDiffers ? `ordered at ${line.unit_price}, our price is ${ourPrice}` : null,
      productId: product.id,
      unitFactor: factor,
    };
    if (promised === 0)
      return {
        ...planned,
        status: LineStatus.backordered,
        quantity: line.quantity,
        shipDate: backorderDate,
      };
    return {
      ...planned,
      status: priceDiffers ? LineStatus.priceChanged : LineStatus.accepted,
      quantity: promised,
      shipDate: input.shipDate,
      ...(backordered > 0 ? { backordered, backorderDate } : {}),
    };
  });
}

/**
 * The sale order line of a planned line: the quantity in the product's unit, at the buyer's
 * price per product unit when it was taken (within tolerance, beyond rounding), else Odoo's.
 */
export function saleOrderLine(
  line: PlannedLine,
  ordered: OrderLineIn,
  listPrice: number,
): Record<string, unknown> {
  const factor = line.unitFactor ?? 1;
  const buyerPerUnit = ordered.unit_price === null ? null : ordered.unit_price / factor;
  const takeBuyers =
    line.status !== LineStatus.priceChanged &&
    buyerPerUnit !== null &&
    Math.abs(buyerPerUnit - listPrice) * factor > PRICE_ROUNDING;
  return {
    product_id: line.productId,
    product_uom_qty: round(ordered.quantity * factor),
    price_unit: takeBuyers ? round(buyerPerUnit, 6) : listPrice,
  };
}
