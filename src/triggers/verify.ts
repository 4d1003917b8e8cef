import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How each kind of sender proves a request is theirs. Pure functions over the raw body,
 * the headers and the source's secret; the clock is passed in.
 */
export const Verification = {
  /** Crossdock's own (Stripe-style): `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, with a tolerance window and replay protection. */
  hmacSha256: 'hmac-sha256',
  /** A provider's scheme: a header with the HMAC-SHA256 of the body (hex, base64, or "sha256=<hex>"). No timestamp: duplicates are caught by the event key. */
  headerHmac: 'header-hmac',
  /** For senders that cannot sign (Odoo): a secret token in the URL. */
  pathToken: 'path-token',
} as const;
export type Verification = (typeof Verification)[keyof typeof Verification];
export const VERIFICATIONS = Object.values(Verification) as [Verification, ...Verification[]];

export const DEFAULT_SIGNATURE_HEADER: Record<Verification, string | null> = {
  'hmac-sha256': 'crossdock-signature',
  'header-hmac': 'x-hmac-signature',
  'path-token': null,
};

export type Verdict =
  | { ok: true; /** What a replay of this request would repeat (timestamped schemes only). */ replayKey: string | null }
  | { ok: false; code: 'HOOK_SIGNATURE_MISSING' | 'HOOK_SIGNATURE_INVALID' | 'HOOK_TIMESTAMP_STALE' | 'HOOK_REPLAYED' | 'HOOK_UNAUTHORIZED'; message: string };

export function signTimestamped(secret: string, timestampS: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.`).update(body).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

export function verifyTimestamped(header: string | undefined, body: Buffer, secret: string, nowMs: number, toleranceS: number): Verdict {
  if (!header) return { ok: false, code: 'HOOK_SIGNATURE_MISSING', message: 'The signature header is missing' };
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const candidates = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => v!);
  if (!t || !/^\d{1,12}$/.test(t) || candidates.length === 0 || header.length > 1000) {
    return { ok: false, code: 'HOOK_SIGNATURE_INVALID', message: 'The signature header is not "t=<unix seconds>,v1=<hex>"' };
  }
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  const match = candidates.find((c) => safeEqual(expected, Buffer.from(c, 'hex')));
  if (!match) return { ok: false, code: 'HOOK_SIGNATURE_INVALID', message: 'The signature does not match the body' };
  // Checked after the signature, so the timestamp itself is authentic.
  if (Math.abs(nowMs - Number(t) * 1000) > toleranceS * 1000) {
    return { ok: false, code: 'HOOK_TIMESTAMP_STALE', message: `The signature timestamp is more than ${toleranceS} s away from our clock` };
  }
  return { ok: true, replayKey: match };
}

export function verifyHeaderHmac(header: string | undefined, body: Buffer, secret: string): Verdict {
  if (!header) return { ok: false, code: 'HOOK_SIGNATURE_MISSING', message: 'The signature header is missing' };
  const expected = createHmac('sha256', secret).update(body).digest();
  const text = header.trim().replace(/^sha256=/, '');
  const given = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (!safeEqual(expected, given)) return { ok: false, code: 'HOOK_SIGNATURE_INVALID', message: 'The signature does not match the body' };
  return { ok: true, replayKey: null };
}

export function verifyPathToken(given: string | undefined, secret: string): Verdict {
  if (!given || !safeEqual(Buffer.from(secret), Buffer.from(given))) return { ok: false, code: 'HOOK_UNAUTHORIZED', message: 'Unknown source or wrong token' };
  return { ok: true, replayKey: null };
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
