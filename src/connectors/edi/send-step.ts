/**
 * `edi.send`: queues a document for a trading partner (855 acknowledgment, 865 change
 * acknowledgment, 856 ship notice, 810 invoice),
 * written from the step's `data` in the partner's version and separators, with the partner's
 * next control numbers. Queued once per step key (or per `once_per`): a retried or replayed
 * step answers the document it queued (same ISA13 and GS06), so the partner never gets it
 * twice from us.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  CHANGE_CODES,
  LineStatus,
  write810,
  write855,
  write856,
  write865,
  type ChangeCode,
  type SegmentData,
} from '../../edi/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import type { Database } from '../../store/index.ts';
import { dynamic, type StepType } from '../../workflows/index.ts';
import type { EdiPartner } from './config.ts';
import { acknowledgedLines, lineIsOf, unitFactor, type AcknowledgedLine } from './order-lines.ts';
import { queueDocument } from './outbound.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const odooText = z.union([z.string(), z.literal(false), z.null()]);
type OdooText = z.output<typeof odooText>;

const AckData = z.strictObject({
  po_number: z.string().min(1),
  po_date: isoDate,
  /** Our sale order's name; null when the order was refused. */
  order_name: z.string().min(1).nullable(),
  lines: z
    .array(
      z.object({
        lineNumber: z.string(),
        quantityOrdered: z.number(),
        uom: z.string(),
        unitPrice: z.number().nullable(),
        items: z.record(z.string(), z.string()),
        status: z.enum(Object.values(LineStatus) as [LineStatus, ...LineStatus[]]),
        quantity: z.number(),
        shipDate: z.string().nullable(),
        backordered: z.number().min(0).optional(),
        backorderDate: z.string().nullable().optional(),
      }),
    )
    .min(1),
});

const ChangeAckData = z.strictObject({
  purpose: z.enum(['01', '04']),
  po_number: z.string().min(1),
  po_date: isoDate,
  change_sequence: z.string().nullable(),
  /** Our sale order's name; null when there is none. */
  order_name: z.string().min(1).nullable(),
  /** The whole change refused (BCA02 RJ). */
  refused: z.boolean(),
  requested_delivery: isoDate.nullable(),
  lines: z.array(
    z.object({
      lineNumber: z.string(),
      change: z.enum(Object.keys(CHANGE_CODES) as [ChangeCode, ...ChangeCode[]]),
      quantity: z.number(),
      uom: z.string().nullable(),
      unitPrice: z.number().nullable(),
      items: z.record(z.string(), z.string()),
      status: z.enum(['IA', 'IR']),
    }),
  ),
});

const InvoiceData = z.strictObject({
  invoice_number: z.string().min(1),
  invoice_date: isoDate,
  po_number: z.string().min(1),
  order_name: z.string().min(1),
  total: z.number(),
  lines: z
    .array(
      z.object({
        quantity: z.number(),
        unit_price: z.number(),
        uom: z.string().default('EA'),
        default_code: odooText,
        barcode: odooText,
      }),
    )
    .min(1),
});

const ShipData = z.strictObject({
  shipment_id: z.string().min(1),
  carrier: z.string().min(1),
  tracking_ref: z.string().min(1),
  po_number: z.string().min(1),
  /** The order's delivery address: its ship-to code is the partner's mapping read backwards. */
  ship_to_id: z.int().nullable(),
  ship_to_name: z.string().nullable(),
  lines: z
    .array(
      z.object({
        quantity: z.number(),
        uom: z.string().default('EA'),
        default_code: odooText,
        barcode: odooText,
      }),
    )
    .min(1),
});

const SendConfig = z.strictObject({
  partner: dynamic(z.string().min(1)),
  transaction_set: z.enum(['855', '856', '810', '865']),
  /** Queue the document once per this value (a delivery's name) instead of once per step. */
  once_per: dynamic(z.string().min(1)).optional(),
  /** 855: { po_number, po_date, order_name, lines }; 810: { invoice_number, invoice_date, po_number, order_name, total, lines }. */
  data: dynamic(z.record(z.string(), z.unknown())),
});
type SendConfig = z.output<typeof SendConfig>;

function dataOf<T extends z.ZodType>(schema: T, data: unknown, set: string): z.output<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({
    path: ['data', ...i.path].join('.'),
    message: i.message,
  }));
  throw new CrossdockError(
    'STEP_CONFIG_INVALID',
    `edi.send ${set}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    { category: 'user', retryable: false, details },
  );
}

/**
 * A quantity and price in the product's unit given back in the partner's: in the unit the
 * partner ordered the product in on this PO (the lines we acknowledged); as given otherwise.
 */
function inPartnerUnit(partner: EdiPartner, lines: AcknowledgedLine[]) {
  return (
    l: { quantity: number; uom: string; default_code: OdooText; barcode: OdooText },
    price = 0,
  ) => {
    const code = typeof l.default_code === 'string' ? l.default_code : null;
    const barcode = typeof l.barcode === 'string' ? l.barcode : null;
    const ordered = lines.find((x) => lineIsOf(partner, x, code, barcode));
    const factor = ordered ? unitFactor(partner, code, ordered.uom) : null;
    if (!ordered || factor === null) return { quantity: l.quantity, uom: l.uom, unitPrice: price };
    return {
      quantity: Math.round((l.quantity / factor) * 10_000) / 10_000,
      uom: ordered.uom,
      unitPrice: Math.round(price * factor * 10_000) / 10_000,
    };
  };
}

/** The document's segments and what it is about (the PO number). */
async function documentOf(
  db: Kysely<Database>,
  partner: EdiPartner,
  set: SendConfig['transaction_set'],
  data: unknown,
  now: Date,
): Promise<{ segments: SegmentData[]; reference: string }> {
  if (set === '855') {
    const d = dataOf(AckData, data, set);
    const segments = write855({
      poNumber: d.po_number,
      poDate: d.po_date,
      orderName: d.order_name,
      lines: d.lines,
      at: now,
    });
    return { segments, reference: d.po_number };
  }
  // The buyer's own part numbers, from the partner's cross-reference read backwards.
  const buyerPart = new Map(Object.entries(partner.odoo.items).map(([bp, code]) => [code, bp]));
  const itemsOf = (defaultCode: string | false | null, barcodeValue: string | false | null) => {
    const code = typeof defaultCode === 'string' ? defaultCode : null;
    const barcode = typeof barcodeValue === 'string' ? barcodeValue : null;
    const bp = code === null ? undefined : buyerPart.get(code);
    return {
      ...(bp === undefined ? {} : { BP: bp }),
      ...(code === null ? {} : { VP: code }),
      ...(barcode === null ? {} : barcode.length === 13 ? { EN: barcode } : { UP: barcode }),
    };
  };
  if (set === '865') {
    const d = dataOf(ChangeAckData, data, set);
    const segments = write865({
      purpose: d.purpose,
      poNumber: d.po_number,
      poDate: d.po_date,
      changeSequence: d.change_sequence,
      orderName: d.order_name,
      refused: d.refused,
      requestedDelivery: d.requested_delivery,
      lines: d.lines,
      at: now,
    });
    return { segments, reference: d.po_number };
  }
  if (set === '856') {
    const d = dataOf(ShipData, data, set);
    const unit = inPartnerUnit(partner, await acknowledgedLines(db, partner.code, d.po_number));
    const code = Object.entries(partner.odoo.shipTo).find(([, id]) => id === d.ship_to_id)?.[0];
    const segments = write856({
      shipmentId: d.shipment_id,
      shippedAt: now,
      carrier: d.carrier,
      trackingRef: d.tracking_ref,
      shipTo: code === undefined ? null : { code, name: d.ship_to_name ?? '' },
      poNumber: d.po_number,
      items: d.lines.map((l) => {
        const { quantity, uom } = unit(l);
        return { quantity, uom, items: itemsOf(l.default_code, l.barcode) };
      }),
    });
    return { segments, reference: d.po_number };
  }
  const d = dataOf(InvoiceData, data, set);
  const unit = inPartnerUnit(partner, await acknowledgedLines(db, partner.code, d.po_number));
  const segments = write810({
    invoiceNumber: d.invoice_number,
    invoiceDate: d.invoice_date,
    poNumber: d.po_number,
    orderName: d.order_name,
    total: d.total,
    lines: d.lines.map((l) => ({
      ...unit(l, l.unit_price),
      items: itemsOf(l.default_code, l.barcode),
    })),
  });
  return { segments, reference: d.po_number };
}

export function sendDocumentStep(deps: {
  db: () => Kysely<Database> | null;
  partner(code: string): EdiPartner | undefined;
  codes(): string[];
  queued(): void;
}): StepType<SendConfig> {
  return {
    type: 'edi.send',
    description:
      'Queues an EDI document (855, 865, 856, 810) for a trading partner; output { document_id, interchange_control, group_control, duplicate }',
    config: SendConfig as z.ZodType<SendConfig>,
    sideEffect: true,
    async execute(ctx, config) {
      const code = config.partner as string;
      const partner = deps.partner(code);
      if (!partner)
        throw new CrossdockError(
          'EDI_PARTNER_UNKNOWN',
          `No EDI partner "${code}"; the configured ones are ${deps.codes().join(', ') || 'none'}`,
          { category: 'user', retryable: false },
        );
      const db = deps.db();
      if (!db)
        throw new CrossdockError('EDI_PARTNER_UNKNOWN', 'edi.send runs only with a store', {
          category: 'user',
          retryable: false,
        });
      const set = config.transaction_set;
      const { segments, reference } = await documentOf(db, partner, set, config.data, ctx.now());
      // Idempotency: queued once per step key; a repeat answers the first document (same numbers).
      const doc = await queueDocument(
        db,
        partner,
        {
          dedupeKey:
            typeof config.once_per === 'string'
              ? `${set}:${partner.code}:${config.once_per}`
              : `${set}:${ctx.idempotencyKey}`,
          transactionSet: set,
          reference,
          segments,
        },
        ctx.now(),
      );
      if (!doc.duplicate) deps.queued();
      return {
        kind: 'done',
        output: {
          document_id: doc.id,
          interchange_control: doc.interchangeControl,
          group_control: doc.groupControl,
          duplicate: doc.duplicate,
        },
      };
    },
    describe: (c) =>
      `would queue an ${c.transaction_set} for ${typeof c.partner === 'string' ? c.partner : 'the partner'}`,
  };
}
