/**
 * Trading partners (CROSSDOCK_EDI_CONFIG): who they are in the envelopes, which version and
 * separators we write to them, how they prove a delivery is theirs, where we send our
 * documents, and how their orders map to Odoo (customer, ship-to codes, item numbers).
 * An invalid file is refused with every bad path listed; secrets come from environment
 * variables the file names, never from the file.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { readYamlFile } from '../../workflows/index.ts';
import { X12_VERSIONS, type Delimiters } from '../../edi/index.ts';
import { CrossdockError, type ErrorDetail } from '../../errors/index.ts';

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. EDI_NORTHWIND_SECRET');
const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name');
/** ISA05/07 qualifiers: 01 DUNS, 08 UCC EDI communications id, 12 phone, 14 DUNS+suffix, ZZ mutually defined ... */
const isaParty = z.strictObject({
  qualifier: z.string().regex(/^[0-9A-Z]{2}$/, 'two characters, e.g. ZZ or 01'),
  id: z
    .string()
    .regex(/^[A-Za-z0-9 ._-]{1,15}$/, '1 to 15 letters, digits, space, ".", "_" or "-"'),
});
const separator = z
  .string()
  .length(1)
  .regex(/^[^A-Za-z0-9 ]$/, 'one character, not a letter, digit or space');

const SecretSchema = z
  .strictObject({
    secret: z.string().min(16, 'use at least 16 random characters').optional(),
    secret_env: envName.optional(),
    signature_header: headerName.default('x-edi-signature'),
  })
  .refine((s) => (s.secret === undefined) !== (s.secret_env === undefined), {
    message: 'give secret_env (or, in code, secret), not both',
  });

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => isAbsolute(p), 'an absolute path, e.g. /srv/edi/northwind/in');

/**
 * The partner's mailbox as an SFTP server or a VAN presents it: files dropped into `inbox`
 * are read (once complete), kept in `archive` (or `error`), and our documents are written into
 * `outbox` for the partner to collect.
 */
const FolderSchema = z
  .strictObject({
    inbox: absolutePath,
    outbox: absolutePath,
    archive: absolutePath,
    error: absolutePath,
    /** How often the inbox is scanned. */
    poll_interval_ms: z.int().min(100).max(3_600_000).default(5_000),
    /** How long a file's size and modification time must stay the same before it is read. */
    settle_ms: z.int().min(0).max(3_600_000).default(2_000),
    /** Attempts to write a document into the outbox before it is dead. */
    max_attempts: z.int().min(1).max(50).default(8),
  })
  .refine(
    (f) => new Set([f.inbox, f.outbox, f.archive, f.error].map((p) => resolve(p))).size === 4,
    'inbox, outbox, archive and error must be four different folders',
  );

/**
 * How many of the Odoo product's unit one of the partner's unit is (1 CA = 12 Units), by X12
 * unit code (PO103): CA case, BX box, DZ dozen, PL pallet, PK pack ...
 */
const unitTable = z
  .record(z.string(), z.number().positive().max(1_000_000))
  .superRefine((units, ctx) => {
    for (const code of Object.keys(units))
      if (!/^[A-Z0-9]{2}$/.test(code))
        ctx.addIssue({
          code: 'custom',
          path: [code],
          message: `"${code}" is not a two-character X12 unit code, e.g. CA`,
        });
  });

/** Units every partner may order in without configuring them. */
export const BUILT_IN_UNITS: Readonly<Record<string, number>> = { EA: 1, PC: 1, UN: 1, DZ: 12 };

const PartnerSchema = z.strictObject({
  /** Used in /hooks/edi/<code>, event sources (edi.<code>) and steps. */
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-"'),
  name: z.string().min(1).max(200),
  version: z.enum(X12_VERSIONS).default('004010'),
  /** ISA15 of what we send: T test, P production. What they send must say the same. */
  usage: z.enum(['T', 'P']),
  partner_isa: isaParty,
  our_isa: isaParty,
  /** GS02/GS03 application codes; the ISA ids when not given. */
  partner_gs: z.string().min(2).max(15).optional(),
  our_gs: z.string().min(2).max(15).optional(),
  /** The separators of what we send (theirs are read from each interchange's ISA). */
  separators: z
    .strictObject({
      element: separator.default('*'),
      component: separator.default('>'),
      segment: separator.default('~'),
      repetition: separator.default('^'),
    })
    .default({ element: '*', component: '>', segment: '~', repetition: '^' })
    .refine((s) => new Set(Object.values(s)).size === 4, 'the four separators must differ'),
  /** The first ISA13 and GS06 when none is stored yet (continuing a sequence another system used). */
  control_number_start: z.int().min(1).max(999_999_999).default(1),
  /** How the partner signs what it posts to /hooks/edi/<code>: HMAC-SHA256 of the body. */
  inbound: SecretSchema.optional(),
  /** Where we post our documents, signed the same way with our secret for them. */
  outbound: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      timeout_ms: z.int().min(100).max(120_000).default(10_000),
      max_attempts: z.int().min(1).max(50).default(8),
    })
    .and(SecretSchema)
    .optional(),
  /** The watched folders (SFTP / VAN mailbox) instead of, or besides, the HTTP door. */
  folder: FolderSchema.optional(),
  /** How long a document may wait for the partner's 997. */
  ack_window_hours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  odoo: z.strictObject({
    connection: z.string().min(1).default('odoo'),
    /** The res.partner that orders (the sale order's customer). */
    customer_id: z.int().positive(),
    /** N1*ST codes (N104) to res.partner delivery addresses. */
    ship_to: z.record(z.string().min(1).max(80), z.int().positive()).default({}),
    /** The partner's item numbers (BP, IN, SK) to our internal references (product default_code). */
    items: z
      .array(
        z.strictObject({
          buyer_part: z.string().min(1).max(48),
          default_code: z.string().min(1).max(64),
          /** This item's own conversions, before the partner's (a case of this one holds 24). */
          units: unitTable.optional(),
        }),
      )
      .default([]),
    /** Match UPC (UP) and EAN (EN) identifiers to the product's barcode. */
    match_barcode: z.boolean().default(true),
    /** The partner's units (CA, BX, PL ...) in the product's unit, for every item. */
    units: unitTable.default({}),
    /**
     * How far (in percent of our price) the buyer's price may be from Odoo's before the line is
     * answered as changed (our price); within it, the buyer's price is taken.
     */
    price_tolerance_percent: z.number().min(0).max(100).default(0),
  }),
});
type PartnerInput = z.output<typeof PartnerSchema>;

const FileSchema = z.strictObject({
  partners: z
    .array(
      PartnerSchema.superRefine((p, ctx) => {
        if (p.inbound === undefined && p.folder === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['inbound'],
            message: 'give inbound (the HTTP door) or folder (an inbox), or both',
          });
        if ((p.outbound === undefined) === (p.folder === undefined))
          ctx.addIssue({
            code: 'custom',
            path: ['outbound'],
            message:
              'our documents go to one place: give outbound (HTTP) or folder (its outbox), not both',
          });
      }),
    )
    .min(1),
});

export interface EdiFolders {
  inbox: string;
  outbox: string;
  archive: string;
  error: string;
  pollIntervalMs: number;
  settleMs: number;
  maxAttempts: number;
}

export interface EdiPartner {
  code: string;
  name: string;
  version: (typeof X12_VERSIONS)[number];
  usage: 'T' | 'P';
  partnerIsa: { qualifier: string; id: string };
  ourIsa: { qualifier: string; id: string };
  partnerGs: string;
  ourGs: string;
  delimiters: Delimiters;
  controlNumberStart: number;
  /** The HTTP door /hooks/edi/<code>; null when the partner uses the folder only. */
  inbound: { secret: string; signatureHeader: string } | null;
  /** Where our documents are posted; null when they go to the folder's outbox. */
  outbound: {
    url: string;
    secret: string;
    signatureHeader: string;
    timeoutMs: number;
    maxAttempts: number;
  } | null;
  folder: EdiFolders | null;
  ackWindowHours: number;
  odoo: {
    connection: string;
    customerId: number;
    shipTo: Record<string, number>;
    items: Record<string, string>;
    matchBarcode: boolean;
    /** Built-in units and the partner's, in the product's unit. */
    units: Record<string, number>;
    /** Per internal reference (default_code), an item's own units. */
    itemUnits: Record<string, Record<string, number>>;
    priceTolerancePercent: number;
  };
}

function secretOf(
  s: { secret?: string | undefined; secret_env?: string | undefined },
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  problems: ErrorDetail[],
): string {
  if (s.secret !== undefined) return s.secret;
  const value = env[s.secret_env!];
  if (value === undefined || value.length < 16)
    problems.push({
      path,
      message: `the variable ${s.secret_env} is unset or under 16 characters`,
    });
  return value ?? '';
}

function toPartner(
  p: PartnerInput,
  i: number,
  env: Readonly<Record<string, string | undefined>>,
  problems: ErrorDetail[],
): EdiPartner {
  return {
    code: p.code,
    name: p.name,
    version: p.version,
    usage: p.usage,
    partnerIsa: p.partner_isa,
    ourIsa: p.our_isa,
    partnerGs: p.partner_gs ?? p.partner_isa.id,
    ourGs: p.our_gs ?? p.our_isa.id,
    delimiters: p.separators,
    controlNumberStart: p.control_number_start,
    inbound: p.inbound
      ? {
          secret: secretOf(p.inbound, `partners.${i}.inbound.secret_env`, env, problems),
          signatureHeader: p.inbound.signature_header,
        }
      : null,
    outbound: p.outbound
      ? {
          url: p.outbound.url,
          secret: secretOf(p.outbound, `partners.${i}.outbound.secret_env`, env, problems),
          signatureHeader: p.outbound.signature_header,
          timeoutMs: p.outbound.timeout_ms,
          maxAttempts: p.outbound.max_attempts,
        }
      : null,
    folder: p.folder
      ? {
          inbox: resolve(p.folder.inbox),
          outbox: resolve(p.folder.outbox),
          archive: resolve(p.folder.archive),
          error: resolve(p.folder.error),
          pollIntervalMs: p.folder.poll_interval_ms,
          settleMs: p.folder.settle_ms,
          maxAttempts: p.folder.max_attempts,
        }
      : null,
    ackWindowHours: p.ack_window_hours,
    odoo: {
      connection: p.odoo.connection,
      customerId: p.odoo.customer_id,
      shipTo: p.odoo.ship_to,
      items: Object.fromEntries(p.odoo.items.map((x) => [x.buyer_part, x.default_code])),
      matchBarcode: p.odoo.match_barcode,
      units: { ...BUILT_IN_UNITS, ...p.odoo.units },
      itemUnits: Object.fromEntries(
        p.odoo.items.flatMap((x) => (x.units ? [[x.default_code, x.units]] : [])),
      ),
      priceTolerancePercent: p.odoo.price_tolerance_percent,
    },
  };
}

/** Reads the partners from a parsed file (or an object given in code). */
export function parseEdiPartners(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  where = 'EDI configuration',
): EdiPartner[] {
  const parsed = FileSchema.safeParse(value);
  if (!parsed.success)
    invalid(
      where,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  const problems: ErrorDetail[] = [];
  const partners = parsed.data.partners.map((p, i) => toPartner(p, i, env, problems));
  const codes = partners.map((p) => p.code);
  codes.forEach((code, i) => {
    if (codes.indexOf(code) !== i)
      problems.push({ path: `partners.${i}.code`, message: `"${code}" is used twice` });
  });
  partners.forEach((p, i) => {
    const same = partners.findIndex(
      (q) =>
        q.partnerIsa.qualifier === p.partnerIsa.qualifier && q.partnerIsa.id === p.partnerIsa.id,
    );
    if (same !== i)
      problems.push({
        path: `partners.${i}.partner_isa`,
        message: `the same ISA id as partners.${same}`,
      });
  });
  partners.forEach((p, i) => {
    const same = partners.findIndex((q) => q.folder?.inbox === p.folder?.inbox);
    if (p.folder && same !== i)
      problems.push({
        path: `partners.${i}.folder.inbox`,
        message: `the same inbox as partners.${same}`,
      });
  });
  if (problems.length > 0) invalid(where, problems);
  return partners;
}

export function loadEdiPartners(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): EdiPartner[] {
  return parseEdiPartners(
    readYamlFile(path, (details) => invalid(path, details)),
    env,
    path,
  );
}

function invalid(where: string, details: ErrorDetail[]): never {
  throw new CrossdockError(
    'EDI_CONFIG_INVALID',
    `Invalid EDI configuration (${where}): ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    { category: 'user', retryable: false, details },
  );
}

/** How many times a document is handed to the partner's transport before it is dead. */
export function deliveryAttempts(partner: EdiPartner): number {
  return partner.folder?.maxAttempts ?? partner.outbound?.maxAttempts ?? 1;
}
