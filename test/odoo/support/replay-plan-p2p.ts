/**
 * The replay of the second Odoo 17 recording (database "odoo17fx", 2026-12-04) that the
 * procurement and inventory models answer: fields_get of their models, procure-to-pay
 * (p2p-*), inventory counts and scrap (inv-*). Same rules as replay-plan.ts: one freshly
 * seeded simulator, the lab's order, id sequences moved to where the lab's were before
 * records are created (that database was re-created, so its sequences are elsewhere
 * than the first recording's), requests sent as recorded.
 */
import type { CompareRule, ReplayContext } from './replay.ts';
import type { PlanStep } from './replay-plan.ts';

const out = (name: string, rule?: CompareRule): PlanStep =>
  rule === undefined ? { kind: 'outgoing', name } : { kind: 'outgoing', name, rule };
const fx = (name: string, rule?: CompareRule): PlanStep =>
  rule === undefined ? { kind: 'fixture', name } : { kind: 'fixture', name, rule };
const setup = (what: string, run: (ctx: ReplayContext) => Promise<void>): PlanStep => ({
  kind: 'setup',
  what,
  run,
});

/** Moves id sequences and named sequences to the lab's, so created records get the recorded ids and names. */
const labIds = (
  what: string,
  ids: Record<string, number>,
  sequences: Record<string, number> = {},
) =>
  setup(`next ids as in the lab: ${what}`, async (ctx) => {
    for (const [model, id] of Object.entries(ids)) ctx.sim.db.setNextId(model, id);
    for (const [code, next] of Object.entries(sequences)) ctx.sim.db.setSequence(code, next);
  });

const FIELDS_GET: PlanStep[] = [
  'fg-product.supplierinfo',
  'fg-purchase.order',
  'fg-purchase.order.line',
  'fg-res.partner.bank',
  'fg-stock.picking',
  'fg-stock.quant',
  'fg-stock.scrap',
  'fg-stock.warehouse.orderpoint',
].map((name) => fx(name));

const PROCURE_TO_PAY: PlanStep[] = [
  labIds('RFQ 12 "P00013"', { 'purchase.order': 12 }, { 'purchase.order': 13 }),
  fx('p2p-01-error-create-purchase.order-unknown-field'),
  fx('p2p-02-create-purchase.order-no-lines'),
  fx('p2p-03-button_confirm-rfq-without-lines'),
  fx('p2p-04-error-action_create_invoice-nothing-to-bill'),
  fx('p2p-05-button_cancel-returns-null'),
  // The webhook rules: that database kept the first recording's ir.model / ir.model.fields ids, which the seed has.
  fx('p2p-06-search_read-ir.model.fields-for-webhooks'),
  fx('p2p-07-search_read-ir.model.fields.selection-states'),
  labIds('rules 2-4 with their webhook actions 445-447', {
    'base.automation': 2,
    'ir.actions.server': 445,
  }),
  fx('p2p-08-create-base.automation-po-confirmed-webhook'),
  fx('p2p-09-create-base.automation-receipt-done-webhook'),
  fx('p2p-10-create-base.automation-move-posted-webhook'),
  fx('p2p-11-read-base.automation-readback'),
  fx('p2p-13-search_read-product.supplierinfo-corner-desk'),
  fx('p2p-14-create-stock.warehouse.orderpoint-manual'),
  fx('p2p-15-read-stock.warehouse.orderpoint-before-replenish'),
  labIds('RFQ line 23', { 'purchase.order.line': 23 }),
  fx('p2p-16-action_replenish'),
  fx('p2p-17-search_read-purchase.order-rfq-by-origin'),
  fx('p2p-18-search_read-purchase.order.line-by-orderpoint'),
  fx('p2p-19-create-purchase.order-rfq-two-lines'),
  fx('p2p-20-read-purchase.order-draft'),
  labIds(
    'receipt 138 "WH/IN/00007", moves 161-162, move lines 152-153',
    { 'stock.picking': 138, 'stock.move': 161, 'stock.move.line': 152 },
    { 'stock.picking.IN': 7 },
  ),
  fx('p2p-21-button_confirm'),
  out('webhook-out-p2p-01-po-confirmed'),
  fx('p2p-22-read-purchase.order-confirmed'),
  fx('p2p-23-read-purchase.order.line-confirmed'),
  fx('p2p-24-button_confirm-again-no-error'),
  fx('p2p-25-read-stock.picking-receipt'),
  fx('p2p-26-search_read-stock.move-receipt'),
  fx('p2p-29-write-purchase.order.line-date_planned-delay'),
  fx('p2p-30-read-purchase.order-after-delay'),
  fx('p2p-31-read-stock.picking-after-delay'),
  fx('p2p-32-search_read-stock.move-after-delay'),
  fx('p2p-34-write-stock.move-quantity-zero'),
  fx('p2p-35-error-button_validate-zero-quantities'),
  fx('p2p-36-write-stock.move-quantity-partial'),
  fx('p2p-37-button_validate-partial-backorder-wizard'),
  labIds('backorder wizard 1', { 'stock.backorder.confirmation': 1 }),
  fx('p2p-38-create-stock.backorder.confirmation'),
  fx('p2p-39-backorder-process'),
  out('webhook-out-p2p-02-receipt-done'),
  fx('p2p-40-search_read-stock.picking-after-backorder'),
  fx('p2p-41-read-purchase.order.line-partially-received'),
  fx('p2p-42-button_validate-backorder-full'),
  out('webhook-out-p2p-03-receipt-done'),
  fx('p2p-43-read-purchase.order-fully-received'),
  fx('p2p-44-error-button_cancel-with-done-receipt'),
  labIds(
    'bill 28 with lines 75-78 (product, tax, payment term), the second bill of 2026-12 (BILL/2026/12/0002)',
    { 'account.move': 28, 'account.move.line': 75 },
    { 'account.move.BILL.2026.12': 2 },
  ),
  fx('p2p-45-action_create_invoice'),
  fx('p2p-46-read-account.move-bill-draft'),
  fx('p2p-47-search_read-account.move.line-bill-lines'),
  fx('p2p-48-write-account.move-bill-mismatch'),
  fx('p2p-49-search_read-account.move.line-bill-lines-after-mismatch'),
  fx('p2p-50-error-action_post-bill-without-invoice_date'),
  fx('p2p-51-write-account.move-bill-invoice_date'),
  fx('p2p-52-action_post-bill'),
  out('webhook-out-p2p-04-move-posted'),
  fx('p2p-53-read-account.move-bill-posted'),
  fx('p2p-54-read-purchase.order-after-bill'),
  fx('p2p-55-read-purchase.order.line-three-way-match'),
  labIds('bank account 2', { 'res.partner.bank': 2 }),
  fx('p2p-56-create-res.partner.bank-trusted'),
  fx('p2p-57-read-res.partner.bank-created'),
  fx('p2p-58-error-write-acc_number-on-trusted-account'),
  fx('p2p-59-write-res.partner.bank-untrust-and-change-number'),
  fx('p2p-60-read-res.partner.bank-after-change'),
];

const INVENTORY: PlanStep[] = [
  fx('inv-01-search_read-stock.quant-storage-box'),
  fx('inv-02-write-stock.quant-inventory_quantity'),
  fx('inv-03-read-stock.quant-counted'),
  labIds('inventory move 169 with move line 162', { 'stock.move': 169, 'stock.move.line': 162 }),
  fx('inv-04-action_apply_inventory'),
  fx('inv-05-search_read-stock.move-inventory-adjustment'),
  fx('inv-06-read-stock.quant-after-apply'),
  labIds('quant 47', { 'stock.quant': 47 }),
  fx('inv-07-create-stock.quant-inventory_mode'),
  fx('inv-08-action_apply_inventory-new-quant'),
  labIds(
    'scrap 1 "SP/00001" and its move 171',
    { 'stock.scrap': 1, 'stock.move': 171 },
    { 'stock.scrap': 1 },
  ),
  fx('inv-09-create-stock.scrap'),
  fx('inv-10-action_validate-stock.scrap'),
  fx('inv-11-read-stock.scrap-done'),
  fx('inv-12-create-stock.scrap-more-than-available'),
  fx('inv-13-action_validate-insufficient-quantity'),
  labIds('scrap warning wizard 1', { 'stock.warn.insufficient.qty.scrap': 1 }),
  fx('inv-14-create-stock.warn.insufficient.qty.scrap'),
  fx('inv-15-insufficient-qty-action_done'),
  fx('inv-16-search_read-stock.quant-negative-after-scrap'),
];

/**
 * The return to the vendor (ret-20..29): two of the ten cabinets of receipt 138 go back to
 * Wood Corner, then the order is billed again, which makes a vendor refund. In the lab it
 * ran after the customer invoicing and return (o2c-*, ret-01..19), which took delivery
 * 140-142 "WH/OUT/00124-125", return wizards 1-2, moves up to 167 and moves 29-30: the ids
 * and names are moved past them.
 */
const VENDOR_RETURN: PlanStep[] = [
  labIds(
    'return wizard 3 with lines 3-4, vendor return 143 "WH/OUT/00126" with move 168, refund 31 with lines 87-88',
    {
      'stock.return.picking': 3,
      'stock.return.picking.line': 3,
      'stock.picking': 143,
      'stock.move': 168,
      'account.move': 31,
      'account.move.line': 87,
    },
    { 'stock.picking.OUT': 126 },
  ),
  setup(
    "the company has answered the SMS question of its first delivery (o2c-04/05 did, in the lab's customer invoicing run, which ret-25's description names)",
    async (ctx) => {
      await ctx.sim.db.call('res.company', 'write', [
        [1],
        { has_received_warning_stock_sms: true },
      ]);
    },
  ),
  ...[
    '20-create-stock.return.picking-vendor',
    '21-search_read-stock.return.picking.line-vendor',
    '22-write-stock.return.picking-vendor-line-quantities',
    '23-create_returns-vendor',
    '24-read-stock.picking-vendor-return',
    '25-button_validate-vendor-return',
    '26-read-purchase.order.line-after-vendor-return',
    '27-action_create_invoice-vendor-refund',
    '28-read-account.move-vendor-refund-draft',
    '29-search_read-account.move.line-vendor-refund-lines',
  ].map((step) => fx(`ret-${step}`)),
];

export const REPLAY_PLAN_P2P: PlanStep[] = [
  ...FIELDS_GET,
  ...PROCURE_TO_PAY,
  ...VENDOR_RETURN,
  ...INVENTORY,
];

const WHOLE_DATABASE =
  "lists records of the fx lab's whole database (demo receipts, demo sale orders and their forecasts), which the seed does not hold";

/** Fixtures of this recording owned by these models that the simulator does not reproduce, with why. */
export const NOT_REPLAYED_P2P: Readonly<Record<string, string>> = {
  'fg-account.move':
    'account.move is simulated with the fields customer invoices use, not its full recorded schema',
  'fg-account.move.line':
    'account.move.line is simulated with the fields invoice lines use, not its full recorded schema',
  'fg-account.move.reversal': 'the credit-note wizard is not simulated with its recorded schema',
  'fg-sale.advance.payment.inv':
    'the invoicing wizard is simulated with the fields flow A uses, not its full recorded schema',
  'fg-stock.return.picking': 'the return wizard is not simulated with its recorded schema',
  'fg-stock.return.picking.line':
    'the return wizard lines are not simulated with their recorded schema',
  'fg-stock.move':
    'stock.move is simulated with the fields the flows use, not its full recorded schema (85 fields)',
  'p2p-12-search_read-stock.warehouse.orderpoint': WHOLE_DATABASE,
  'p2p-27-search_read-stock.picking-late-receipts': WHOLE_DATABASE,
  'p2p-28-search_read-sale.order.line-open-demand-drawer': WHOLE_DATABASE,
  'p2p-33-search_read-stock.picking-late-receipts-after-delay': WHOLE_DATABASE,
  'p2p-61-search_read-mail.message-partner-bank-log':
    "the partner's chatter log of bank account changes (notes with tracking values) is not simulated",
  'p2p-62-read-mail.tracking.value-bank-change':
    "the partner's chatter log of bank account changes (notes with tracking values) is not simulated",
};

/** The return to the vendor (ret-20..29): it returns goods of the p2p-* purchase order, so it is replayed here. */
export const VENDOR_RETURN_FIXTURE = /^ret-2\d-/;

/** The fixtures this plan is responsible for (the invoicing and customer returns ones have their own). */
export function isProcurementFixture(name: string): boolean {
  return /^(fg-|p2p-|inv-|webhook-out-p2p-)/.test(name) || VENDOR_RETURN_FIXTURE.test(name);
}
