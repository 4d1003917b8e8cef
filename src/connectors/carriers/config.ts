/**
 * A carrier's configuration: where its API is, how to authenticate, its timeouts, how its
 * tracking statuses read in ours, and how it signs its webhooks. Adding a carrier that
 * speaks the carrier REST profile (docs/CARRIERS.md) is configuration, not code.
 *
 * Defaults apply only to absent optional values; an invalid value is refused with every
 * bad path listed. Secrets come from environment variables named in the configuration
 * (or, in code, as values); no error or log line ever shows one.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CrossdockError, type ErrorDetail } from '../../errors/index.ts';
import { CarrierCodeSchema, TRACKING_STATUSES, type TrackingStatus } from './model.ts';

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. SWIFTPOST_API_KEY');
const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name');
/** A dot path into the webhook's JSON body, e.g. "shipment.tracking_number". */
const fieldPath = z
  .string()
  .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dot path, e.g. event.id');
const pathTemplate = z.string().regex(/^\/[A-Za-z0-9_./{}-]*$/, 'a path starting with "/"');

const AuthSchema = z
  .strictObject({
    /** Header that carries the key: "authorization", "x-api-key". */
    header: headerName.default('authorization'),
    /** Text before the key in the header, e.g. "Bearer ". */
    prefix: z.string().max(32).default(''),
    api_key: z.string().min(1).optional(),
    api_key_env: envName.optional(),
  })
  .refine((a) => (a.api_key === undefined) !== (a.api_key_env === undefined), {
    message: 'give api_key_env (or, in code, api_key), not both',
  });

const WebhookFieldsSchema = z.strictObject({
  event_id: fieldPath.default('id'),
  tracking_ref: fieldPath.default('tracking_ref'),
  status: fieldPath.default('status'),
  at: fieldPath.default('at'),
  reason: fieldPath.default('reason'),
  /** Our shipment reference echoed by the carrier (the picking name), if it sends one. */
  reference: fieldPath.default('reference'),
  /** Proof of delivery, when the carrier sends it: who signed, and its photo or document reference. */
  signed_by: fieldPath.default('signed_by'),
  proof_ref: fieldPath.default('proof_ref'),
});

const WebhookSchema = z
  .strictObject({
    secret: z.string().min(16, 'use at least 16 random characters').optional(),
    secret_env: envName.optional(),
    /** Header with the HMAC-SHA256: hex (optionally "sha256=<hex>") or base64, as `signature_encoding` says. */
    signature_header: headerName,
    signature_encoding: z.enum(['hex', 'base64']).default('hex'),
    /**
     * Header with the send time in unix seconds. When set, the MAC covers
     * "<timestamp>.<raw body>" and a delivery outside `tolerance_seconds` is refused.
     */
    timestamp_header: headerName.optional(),
    tolerance_seconds: z.int().min(1).max(86_400).default(300),
    fields: WebhookFieldsSchema.prefault({}),
  })
  .refine((w) => (w.secret === undefined) !== (w.secret_env === undefined), {
    message: 'give secret_env (or, in code, secret), not both',
  });

const PathsSchema = z.strictObject({
  rates: pathTemplate.default('/rates'),
  book: pathTemplate.default('/shipments'),
  /** {booking_id} is replaced (URL-encoded). */
  cancel: pathTemplate.default('/shipments/{booking_id}'),
  /** {tracking_ref} is replaced (URL-encoded). */
  track: pathTemplate.default('/tracking/{tracking_ref}'),
});

export const CarrierConfigSchema = z.strictObject({
  code: CarrierCodeSchema,
  name: z.string().min(1).max(100).optional(),
  base_url: z
    .url({ protocol: /^https?$/ })
    .refine((value) => new URL(value).username === '' && new URL(value).password === '', {
      message: 'the URL must not carry credentials; use auth',
    }),
  auth: AuthSchema,
  timeout_ms: z.int().min(1).max(120_000).default(10_000),
  /** Booking may be slower than quoting; defaults to timeout_ms. */
  book_timeout_ms: z.int().min(1).max(300_000).optional(),
  paths: PathsSchema.prefault({}),
  /** The carrier's status names in ours: { IN_TRANSIT: in_transit }. Our own names are always understood. */
  statuses: z.record(z.string().min(1), z.enum(TRACKING_STATUSES)).default({}),
  webhook: WebhookSchema.optional(),
});
export type CarrierConfigInput = z.input<typeof CarrierConfigSchema>;
type ParsedCarrier = z.output<typeof CarrierConfigSchema>;
type ParsedWebhook = z.output<typeof WebhookSchema>;

/** A carrier's configuration with its secrets resolved. Holds secrets: never log it. */
export interface CarrierConfig extends Omit<ParsedCarrier, 'auth' | 'webhook'> {
  auth: { header: string; prefix: string; api_key: string };
  webhook: (Omit<ParsedWebhook, 'secret' | 'secret_env'> & { secret: string }) | null;
}
export type CarrierWebhookConfig = NonNullable<CarrierConfig['webhook']>;

/** A carrier's status name in ours: its configured mapping, else our own name; null if neither. */
export function trackingStatusOf(
  config: Pick<CarrierConfig, 'statuses'>,
  name: string,
): TrackingStatus | null {
  if (Object.hasOwn(config.statuses, name)) return config.statuses[name] ?? null;
  return (TRACKING_STATUSES as readonly string[]).includes(name) ? (name as TrackingStatus) : null;
}

/**
 * Validates carrier configurations and resolves their secrets from `env`. Throws
 * CARRIER_CONFIG_INVALID listing every problem (bad values, unset variables, duplicate codes).
 */
export function parseCarrierConfigs(
  inputs: readonly unknown[],
  env: Readonly<Record<string, string | undefined>> = {},
  where = 'carriers',
): CarrierConfig[] {
  const problems: ErrorDetail[] = [];
  const configs: CarrierConfig[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, index) => {
    const at = `${where}.${index}`;
    const parsed = CarrierConfigSchema.safeParse(input);
    if (!parsed.success) {
      problems.push(
        ...parsed.error.issues.map((i) => ({
          path: [at, ...i.path].join('.'),
          message: i.message,
        })),
      );
      return;
    }
    const carrier = parsed.data;
    if (seen.has(carrier.code))
      problems.push({
        path: `${at}.code`,
        message: `carrier "${carrier.code}" is configured twice`,
      });
    seen.add(carrier.code);
    const secret = (
      value: string | undefined,
      variable: string | undefined,
      path: string,
    ): string => {
      if (value !== undefined) return value;
      const found = variable === undefined ? undefined : env[variable];
      if (!found) problems.push({ path, message: `environment variable ${variable} is not set` });
      return found ?? '';
    };
    const { api_key, api_key_env, ...auth } = carrier.auth;
    let webhook: CarrierConfig['webhook'] = null;
    if (carrier.webhook) {
      const { secret: value, secret_env, ...rest } = carrier.webhook;
      webhook = { ...rest, secret: secret(value, secret_env, `${at}.webhook.secret_env`) };
    }
    configs.push({
      ...carrier,
      auth: { ...auth, api_key: secret(api_key, api_key_env, `${at}.auth.api_key_env`) },
      webhook,
    });
  });
  if (problems.length > 0) invalidConfig(problems);
  return configs;
}

const CarrierFileSchema = z.strictObject({ carriers: z.array(z.unknown()).min(1) });

/**
 * The carriers file (YAML or JSON): `{ carriers: [...] }`. Secrets are never in it: each
 * carrier names the environment variables that hold its API key and webhook secret.
 */
export function parseCarrierFile(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where = 'carriers file',
): CarrierConfig[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    invalidConfig([{ path: where, message: `not YAML or JSON: ${(error as Error).message}` }]);
  }
  const file = CarrierFileSchema.safeParse(raw);
  if (!file.success)
    invalidConfig(
      file.error.issues.map((i) => ({ path: i.path.join('.') || '(file)', message: i.message })),
    );
  const inline: ErrorDetail[] = [];
  file.data.carriers.forEach((carrier, index) => {
    const c = carrier as { auth?: { api_key?: unknown }; webhook?: { secret?: unknown } } | null;
    if (c?.auth?.api_key !== undefined)
      inline.push({
        path: `carriers.${index}.auth.api_key`,
        message: 'secrets are not written in the file; name a variable with api_key_env',
      });
    if (c?.webhook?.secret !== undefined)
      inline.push({
        path: `carriers.${index}.webhook.secret`,
        message: 'secrets are not written in the file; name a variable with secret_env',
      });
  });
  if (inline.length > 0) invalidConfig(inline);
  return parseCarrierConfigs(file.data.carriers, env);
}

/** Reads the carriers file; `env` is where the named secrets are (the composition root passes process.env). */
export function loadCarrierSettings(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): CarrierConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    invalidConfig([
      {
        path,
        message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  return parseCarrierFile(text, env, path);
}

function invalidConfig(details: ErrorDetail[]): never {
  throw new CrossdockError(
    'CARRIER_CONFIG_INVALID',
    `Invalid carrier configuration: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    {
      category: 'user',
      retryable: false,
      details,
    },
  );
}
