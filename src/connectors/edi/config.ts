/**
 * Trading partners (CROSSDOCK_EDI_CONFIG): who they are in the envelopes, which version and
 * separators we write to them, how they prove a delivery is theirs, where we send our
 * documents, and how their orders map to Odoo (customer, ship-to codes, item numbers).
 * An invalid file is refused with every bad path listed; secrets come from environment
 * variables the file names, never from the file.
 */
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
  inbound: SecretSchema,
  /** Where we post our documents, signed the same way with our secret for them. */
  outbound: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      timeout_ms: z.int().min(100).max(120_000).default(10_000),
      max_attempts: z.int().min(1).max(50).default(8),
    })
    .and(SecretSchema),
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
        }),
      )
      .default([]),
    /** Match UPC (UP) and EAN (EN) identifiers to the product's barcode. */
    match_barcode: z.boolean().default(true),
  }),
});
type PartnerInput = z.output<typeof PartnerSchema>;

const FileSchema = z.strictObject({ partners: z.array(PartnerSchema).min(1) });

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
  inbound: { secret: string; signatureHeader: string };
  outbound: {
    url: string;
    secret: string;
    signatureHeader: string;
    timeoutMs: number;
    maxAttempts: number;
  };
  ackWindowHours: number;
  odoo: {
    connection: string;
    customerId: number;
    shipTo: Record<string, number>;
    items: Record<string, string>;
    matchBarcode: boolean;
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
    inbound: {
      secret: secretOf(p.inbound, `partners.${i}.inbound.secret_env`, env, problems),
      signatureHeader: p.inbound.signature_header,
    },
    outbound: {
      url: p.outbound.url,
      secret: secretOf(p.outbound, `partners.${i}.outbound.secret_env`, env, problems),
      signatureHeader: p.outbound.signature_header,
      timeoutMs: p.outbound.timeout_ms,
      maxAttempts: p.outbound.max_attempts,
    },
    ackWindowHours: p.ack_window_hours,
    odoo: {
      connection: p.odoo.connection,
      customerId: p.odoo.customer_id,
      shipTo: p.odoo.ship_to,
      items: Object.fromEntries(p.odoo.items.map((x) => [x.buyer_part, x.default_code])),
      matchBarcode: p.odoo.match_barcode,
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
