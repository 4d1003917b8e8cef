// Writes the shipped labelled sets of exception triage: cases of the kinds the demo's packs
// raise (shipment tracking, order release, replenishment, supplier delays, vendor bills,
// invoicing, returns, EDI and shop orders), each labelled with the category and team a
// person would give it. A seeded generator, so the files are the same on every run:
//   node ai/eval/generate.mjs
// triage-train.jsonl is a site's history to train on; triage-cases.jsonl is the held-out
// set that evaluates it (no text of one is in the other).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let seed = 20260305;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (list) => list[Math.floor(rnd() * list.length)];
const num = (n) => String(Math.floor(rnd() * 10 ** n)).padStart(n, '0');

const carriers = ['swiftpost', 'euroline', 'cargoplus', 'parcelnow'];
const customers = [
  'Nordhafen Logistik GmbH',
  'Rheinland Büro AG',
  'Atelier Lumière SARL',
  'Van Dijk Kantoor BV',
  'Milano Arredo Srl',
  'Oficinas Sol SL',
];
const vendors = [
  'Kraków Meble Sp. z o.o.',
  'Wiener Einrichtung GmbH',
  'Bayern Werkstatt KG',
  'Brussels Desk Office SA',
];
const products = [
  'Ergonomic Office Chair',
  'Standing Desk Frame',
  'Steel Shelving Unit',
  'Archive Box (10 pack)',
  'LED Desk Lamp',
  'Laptop Docking Station',
  'Conference Table',
];
const partners = ['Globex Retail', 'Initech Stores', 'Umbrella Office Supply'];
const shops = ['Office Outlet Online', 'DeskShop EU'];
const so = () => `SO${num(4)}`;
const out = () => `WH/OUT/${num(5)}`;
const po = () => `P${num(5)}`;
const bill = () => `BILL/2026/${num(4)}`;
const inv = () => `INV/2026/${num(5)}`;
const trk = (c) => `${c.slice(0, 2).toUpperCase()}${num(9)}`;

// Each kind: how the packs word it, and the label (category, team). Some kinds share words
// with others on purpose (a "delay" of a supplier is a shortage, a damaged return is a return).
const kinds = [
  () => {
    const c = pick(carriers);
    const r = pick([
      'missed the line haul',
      'hub congestion in Hamburg',
      'vehicle breakdown',
      'weather closed the route',
      'late linehaul departure',
    ]);
    return {
      title: `Shipment ${out()} delayed: ${r}`,
      code: null,
      severity: 'medium',
      details: { carrier: c, tracking_ref: trk(c), status: 'delayed', reason: r, offer: 'none' },
      category: 'carrier_delay',
      team: 'logistics',
    };
  },
  () => {
    const c = pick(carriers);
    return {
      title: `Truck for ${so()} ${pick(['two hours', 'three hours', 'a day', 'half a day'])} late at the dock`,
      code: 'LATE_TRUCK',
      severity: pick(['medium', 'high']),
      details: {
        carrier: c,
        note: pick([
          'driver stuck in traffic',
          'pickup slot missed',
          'no truck came for the pickup',
        ]),
      },
      category: 'carrier_delay',
      team: 'logistics',
    };
  },
  () => {
    const c = pick(carriers);
    const r = pick([
      'carton crushed in transit',
      'pallet dropped at the hub',
      'water damage on arrival',
      'broken glass top',
    ]);
    return {
      title: `Shipment ${out()} damaged: ${r}`,
      code: null,
      severity: 'high',
      details: {
        carrier: c,
        tracking_ref: trk(c),
        status: 'damaged',
        reason: r,
        offer: 'reshipment',
      },
      category: 'shipment_damage',
      team: 'customer_service',
    };
  },
  () => ({
    title: `Reship of ${out()} rejected: ${pick(['damage claim not proven', 'above the reship limit', 'customer asked for a refund instead'])}`,
    code: 'RESHIP_REJECTED',
    severity: 'medium',
    details: { order: so(), product: pick(products) },
    category: 'shipment_damage',
    team: 'customer_service',
  }),
  () => ({
    title: `Delivery for ${so()} refused: ${pick(['the address is wrong', 'consignee unknown at the address', 'no such street number', 'site closed, wrong delivery address'])}`,
    code: 'DELIVERY_REFUSED',
    severity: 'high',
    details: {
      order: so(),
      contact_name: pick(['Jane Whitfield', 'Piotr Nowak', 'Anna Berg']),
      delivery_address: `${num(2)} Hafenstraße, Hamburg`,
    },
    category: 'address_problem',
    team: 'customer_service',
  }),
  () => ({
    title: `Order ${so()} for ${pick(customers)} held: ${pick(['the delivery address has no postcode', 'ship-to address incomplete', 'the carrier cannot geocode the address'])}`,
    code: 'ADDRESS_INVALID',
    severity: 'medium',
    details: { order: so() },
    category: 'address_problem',
    team: 'customer_service',
  }),
  () => ({
    title: `Order ${so()} held: stock is not reserved for every line`,
    code: 'STOCK_HOLD',
    severity: 'medium',
    details: { product: pick(products), missing: Number(num(1)) + 1 },
    category: 'stock_shortage',
    team: 'warehouse',
  }),
  () => ({
    title: `Approved count of ${pick(products)} in WH/Stock/Shelf ${num(1)} not applied: the stock moved since the count`,
    code: 'COUNT_OUTDATED',
    severity: 'low',
    details: { location: `WH/Stock/Shelf ${num(1)}` },
    category: 'stock_shortage',
    team: 'warehouse',
  }),
  () => ({
    title: `Replenishment of ${pick(products)} held: ${pick(['value above the auto-order limit', 'supplier is not preferred', 'no supplier lead time known'])}`,
    code: 'REPLENISHMENT_HELD',
    severity: 'medium',
    details: { supplier: pick(vendors), quantity: Number(num(2)) + 5 },
    category: 'stock_shortage',
    team: 'purchasing',
  }),
  () => ({
    title: `Supplier delay on ${po()} from ${pick(vendors)}: receipt ${pick(['five', 'ten', 'three'])} days late`,
    code: 'SUPPLIER_DELAY',
    severity: pick(['medium', 'high']),
    details: { purchase_order: po(), product: pick(products), new_date: `2026-04-${num(1)}1` },
    category: 'stock_shortage',
    team: 'purchasing',
  }),
  () => ({
    title: `Order ${so()} for ${pick(customers)} held: ${pick(['credit limit exceeded', 'exposure above the limit', 'over the credit line'])}`,
    code: 'CREDIT_HOLD',
    severity: 'high',
    details: { amount: Number(num(4)), limit: 10000 },
    category: 'credit_hold',
    team: 'finance',
  }),
  () => ({
    title: `Order ${so()} for ${pick(customers)} held: ${pick(['overdue receivables', 'invoices overdue more than 30 days', 'unpaid invoices past due'])}`,
    code: 'OVERDUE_HOLD',
    severity: 'high',
    details: { overdue: Number(num(4)) },
    category: 'credit_hold',
    team: 'finance',
  }),
  () => ({
    title: `Order ${so()} for ${pick(customers)} held: the customer is blocked`,
    code: 'CUSTOMER_BLOCKED',
    severity: 'high',
    details: { order: so() },
    category: 'credit_hold',
    team: 'finance',
  }),
  () => ({
    title: `Vendor bill ${bill()} of ${pick(vendors)} not matched: ${pick(['price above the purchase order', 'quantity billed above received', 'no purchase order line'])}`,
    code: pick(['BILL_UNMATCHED', 'BILL_VARIANCE']),
    severity: 'medium',
    details: { purchase_order: po(), variance: Number(num(3)) },
    category: 'billing_mismatch',
    team: 'finance',
  }),
  () => ({
    title: `Invoice of ${so()} (${out()}) held: ${pick(['delivered quantity differs from ordered', 'three-way match failed', 'invoice total differs from the order'])}`,
    code: 'INVOICE_HELD',
    severity: 'medium',
    details: { invoice: inv() },
    category: 'billing_mismatch',
    team: 'finance',
  }),
  () => ({
    title: `Customer dispute on ${inv()}: ${pick(['price charged twice', 'discount not applied', 'billed for goods never received'])}`,
    code: 'CUSTOMER_DISPUTE',
    severity: 'medium',
    details: { customer: pick(customers), amount: Number(num(3)) },
    category: 'billing_mismatch',
    team: 'finance',
  }),
  () => {
    const p = pick(partners);
    return {
      title: `EDI order ${po()} from ${p} needs a look: ${pick(['ship-to GLN has no delivery address mapped', 'item code not mapped to a product', 'unit of measure unknown'])}`,
      code: 'EDI_ORDER_MAPPING',
      severity: 'medium',
      details: { partner_name: p, transaction_set: '850' },
      category: 'edi_mapping',
      team: 'integration',
    };
  },
  () => {
    const p = pick(partners);
    return {
      title: `EDI from ${p} rejected (interchange ${num(9)}): ${pick(['ISA13 control number repeated', 'segment count mismatch', 'GS08 version not supported'])}`,
      code: 'EDI_DOCUMENT_REJECTED',
      severity: 'medium',
      details: { partner_name: p },
      category: 'edi_mapping',
      team: 'integration',
    };
  },
  () => {
    const p = pick(partners);
    return {
      title: `No 997 from ${p} for our 855 ${po()} within 24 h`,
      code: 'EDI_ACK_OVERDUE',
      severity: 'low',
      details: { partner_name: p, transaction_set: '855' },
      category: 'edi_mapping',
      team: 'integration',
    };
  },
  () => ({
    title: `Shop order #${num(4)} from ${pick(shops)} has SKUs Odoo does not know: SKU-${num(4)}`,
    code: 'SHOP_ORDER_UNKNOWN_SKU',
    severity: 'medium',
    details: { shop_name: pick(shops) },
    category: 'edi_mapping',
    team: 'integration',
  }),
  () => ({
    title: `Return request RMA-${num(4)} on ${so()} refused: ${pick(['outside the return window', 'product not returnable', 'above the auto-approval value'])}`,
    code: 'RETURN_REFUSED',
    severity: 'low',
    details: { product: pick(products) },
    category: 'return_issue',
    team: 'customer_service',
  }),
  () => ({
    title: `Return ${out().replace('OUT', 'RET')} of ${so()} received, but nothing can be credited: no posted invoice, or no returned line to refund`,
    code: 'RETURN_NOT_CREDITED',
    severity: 'medium',
    details: { order: so() },
    category: 'return_issue',
    team: 'finance',
  }),
  () => ({
    title: `Shop order #${num(4)} (${so()}) was cancelled in ${pick(shops)} after it shipped`,
    code: 'SHOP_CANCEL_AFTER_SHIPPING',
    severity: 'medium',
    details: { shop_name: pick(shops) },
    category: 'return_issue',
    team: 'customer_service',
  }),
  // Free-text enquiries with no code: only the words say what they are about.
  () => {
    const [r, category, team] = pick([
      ['the delivery is three days late', 'carrier_delay', 'logistics'],
      ['the tracking has not moved since Monday', 'carrier_delay', 'logistics'],
      ['two cartons are missing from the delivery', 'stock_shortage', 'warehouse'],
      ['the delivery came short of one line', 'stock_shortage', 'warehouse'],
      ['the invoice amount does not match the quote', 'billing_mismatch', 'finance'],
      ['the box arrived crushed and the lamp is broken', 'shipment_damage', 'customer_service'],
      ['the parcel went to the old office address', 'address_problem', 'customer_service'],
    ]);
    return {
      title: `Customer enquiry on ${so()}: ${r}`,
      code: null,
      severity: pick(['low', 'medium']),
      details: { customer: pick(customers), channel: pick(['phone', 'e-mail', 'portal']) },
      category,
      team,
    };
  },
];

// People are not always consistent: a few cases went to the neighbouring team.
const neighbour = {
  logistics: 'customer_service',
  customer_service: 'logistics',
  warehouse: 'purchasing',
  purchasing: 'warehouse',
  finance: 'customer_service',
  integration: 'customer_service',
};

function make(n) {
  const cases = [];
  for (let i = 0; i < n; i++) {
    const c = kinds[i % kinds.length]();
    if (rnd() < 0.05) c.team = neighbour[c.team];
    cases.push(c);
  }
  // Shuffle (Fisher-Yates on the seeded generator).
  for (let i = cases.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [cases[i], cases[j]] = [cases[j], cases[i]];
  }
  return cases;
}

const here = dirname(fileURLToPath(import.meta.url));
const train = make(184);
const seen = new Set(train.map((c) => c.title));
const held = make(110)
  .filter((c) => !seen.has(c.title))
  .slice(0, 92);
const write = (name, cases) =>
  writeFileSync(join(here, name), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
write('triage-train.jsonl', train);
write('triage-cases.jsonl', held);
console.log(`triage-train.jsonl: ${train.length} cases; triage-cases.jsonl: ${held.length} cases`);
