/**
 * An Odoo connection profile. The protocol is always chosen here, explicitly: the client
 * never probes the server to guess it. Defaults apply only to absent optional values; an
 * invalid value is refused with every bad path listed.
 */
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import { ODOO_PROTOCOLS } from './transport.ts';

const RetryPolicySchema = z.strictObject({
  /** Total attempts including the first; 1 disables retries. */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  baseDelayMs: z.number().int().min(0).max(60_000).default(250),
  maxDelayMs: z.number().int().min(0).max(300_000).default(8_000),
});

export const OdooProfileSchema = z.strictObject({
  /** Names the profile in logs and errors; also keys the uid cache. */
  name: z.string().min(1),
  /** Base URL of the Odoo server, without credentials, e.g. "https://erp.example.com". */
  url: z
    .url({ protocol: /^https?$/ })
    .refine((value) => new URL(value).username === '' && new URL(value).password === '', {
      message: 'the URL must not carry credentials; use login/apiKey',
    }),
  database: z.string().min(1),
  login: z.string().min(1),
  /** An Odoo API key (Preferences > Account Security). A password also works on JSON-RPC/XML-RPC. */
  apiKey: z.string().min(1),
  protocol: z.enum(ODOO_PROTOCOLS),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  /** Calls in flight at once on this connection; further calls wait their turn. */
  maxConcurrency: z.number().int().min(1).max(64).default(4),
  retry: RetryPolicySchema.default({ maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8_000 }),
});

export type OdooProfileInput = z.input<typeof OdooProfileSchema>;
export type OdooProfile = z.output<typeof OdooProfileSchema>;
export type RetryPolicy = OdooProfile['retry'];

/** Validates a profile; the error lists every invalid path and never echoes the API key. */
export function parseOdooProfile(input: unknown): OdooProfile {
  const parsed = OdooProfileSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(profile)' : issue.path.join('.'),
    message: issue.message,
  }));
  return invalidProfile(details);
}

function invalidProfile(details: { path: string; message: string }[]): never {
  throw new CrossdockError(
    'ODOO_CONFIG_INVALID',
    `invalid Odoo profile: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    {
      category: 'user',
      retryable: false,
      details,
    },
  );
}
