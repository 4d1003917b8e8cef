import { createHmac, timingSafeEqual } from 'node:crypto';
import { CrossdockError } from '../errors/index.ts';

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

/** Why a delivery was refused; every webhook door answers these, 401, in the API's one error body. */
export type HookRefusalCode =
  | 'HOOK_SIGNATURE_MISSING'
  | 'HOOK_SIGNATURE_INVALID'
  | 'HOOK_TIMESTAMP_STALE'
  | 'HOOK_REPLAYED'
  | 'HOOK_UNAUTHORIZED';

export type Verdict =
  | {
      ok: true;
      /** What a replay of this request would repeat (timestamped schemes only). */ replayKey:
        string | null;
    }
  | { ok: false; code: HookRefusalCode; message: string };

export type HookRefusal = Extract<Verdict, { ok: false }>;

export const ACCEPTED: Verdict = { ok: true, replayKey: null };

/** The error a refused delivery raises, whichever door it knocked at (sources, Odoo hints, carrier hooks). */
export function webhookRefused(verdict: HookRefusal): CrossdockError {
  return new CrossdockError(verdict.code, verdict.message, { category: 'user', retryable: false });
}

export function signTimestamped(secret: string, timestampS: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.`).update(body).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/** Crossdock's own scheme: `t=<unix seconds>,v1=<hex>` (several v1 while a secret rotates). */
export function verifyTimestamped(
  header: string | undefined,
  body: Buffer,
  secret: string,
  nowMs: number,
  toleranceS: number,
): Verdict {
  if (!header)
    return {
      ok: false,
      code: 'HOOK_SIGNATURE_MISSING',
      message: 'The signature header is missing',
    };
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const candidates = parts
    .filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v))
    .map(([, v]) => v!);
  if (!t || !/^\d{1,12}$/.test(t) || candidates.length === 0 || header.length > 1000) {
    return {
      ok: false,
      code: 'HOOK_SIGNATURE_INVALID',
      message: 'The signature header is not "t=<unix seconds>,v1=<hex>"',
    };
  }
  const expected = hmacOf(secret, t, body);
  const match = candidates.find((c) => sameBytes(expected, Buffer.from(c, 'hex')));
  if (!match)
    return {
      ok: false,
      code: 'HOOK_SIGNATURE_INVALID',
      message: 'The signature does not match the body',
    };
  return checkTimestamp(t, nowMs, toleranceS) ?? { ok: true, replayKey: match };
}

export interface BodySignature {
  /** The signature header's value; undefined when it is missing or repeated. */
  value: string | undefined;
  /** Its name, for the message. */
  header: string;
  /** How the sender encodes the HMAC ("sha256=" may lead a hex one). */
  encoding: 'hex' | 'base64' | 'hex-or-base64';
  /** A timestamp sent in a header of its own and signed as "<timestamp>." before the body. */
  timestamp?: { value: string | undefined; header: string; toleranceS: number; nowMs: number };
}

/**
 * A provider's scheme: the HMAC-SHA256 of the raw body (or of "<timestamp>.<body>") in a
 * header. No replay key: duplicates are caught by the event key.
 */
export function verifyBodyHmac(
  body: Buffer | string,
  secret: string,
  signature: BodySignature,
): Verdict {
  if (signature.value === undefined)
    return {
      ok: false,
      code: 'HOOK_SIGNATURE_MISSING',
      message: `The ${signature.header} header is missing (or repeated)`,
    };
  const stamp = signature.timestamp;
  if (stamp && stamp.value === undefined)
    return {
      ok: false,
      code: 'HOOK_SIGNATURE_MISSING',
      message: `The ${stamp.header} header is missing (or repeated)`,
    };
  const t = stamp?.value?.trim();
  if (stamp && !/^\d{1,12}$/.test(t!))
    return {
      ok: false,
      code: 'HOOK_SIGNATURE_INVALID',
      message: `The ${stamp.header} header is not unix seconds`,
    };
  const given = decodeSignature(signature.value, signature.encoding);
  if (given === null || !sameBytes(hmacOf(secret, t, body), given))
    return {
      ok: false,
      code: 'HOOK_SIGNATURE_INVALID',
      message: 'The signature does not match the body',
    };
  return (stamp && checkTimestamp(t!, stamp.nowMs, stamp.toleranceS)) || ACCEPTED;
}

/** A webhook source's header-hmac scheme: hex (or "sha256=<hex>") or base64, whichever the sender uses. */
export function verifyHeaderHmac(
  header: string | undefined,
  body: Buffer,
  secret: string,
): Verdict {
  return verifyBodyHmac(body, secret, {
    value: header,
    header: 'signature',
    encoding: 'hex-or-base64',
  });
}

/** For senders that cannot sign (Odoo): the token in the URL must be one of the accepted ones. */
export function verifyPathToken(
  given: string | undefined,
  accepted: string | readonly string[],
): Verdict {
  const tokens = typeof accepted === 'string' ? [accepted] : accepted;
  // Every token is compared, so the time taken does not tell which one came close.
  const matches = tokens.filter(
    (token) => given !== undefined && sameBytes(Buffer.from(token), Buffer.from(given)),
  );
  return matches.length > 0
    ? ACCEPTED
    : { ok: false, code: 'HOOK_UNAUTHORIZED', message: 'Unknown source or wrong token' };
}

function hmacOf(secret: string, timestamp: string | undefined, body: Buffer | string): Buffer {
  const mac = createHmac('sha256', secret);
  if (timestamp !== undefined) mac.update(`${timestamp}.`);
  return mac.update(body).digest();
}

/** Checked after the signature, so the timestamp itself is authentic. */
function checkTimestamp(t: string, nowMs: number, toleranceS: number): Verdict | undefined {
  if (Math.abs(nowMs - Number(t) * 1000) <= toleranceS * 1000) return undefined;
  return {
    ok: false,
    code: 'HOOK_TIMESTAMP_STALE',
    message: `The signature timestamp is more than ${toleranceS} s away from our clock`,
  };
}

function decodeSignature(text: string, encoding: BodySignature['encoding']): Buffer | null {
  const value = text.trim();
  if (value.length > 200) return null;
  const hex = value.replace(/^sha256=/i, '');
  if (encoding !== 'base64' && /^[0-9a-fA-F]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  if (encoding !== 'hex' && /^[A-Za-z0-9+/_-]{43}=?$/.test(value))
    return Buffer.from(value, 'base64');
  return null;
}

/** Constant time for equal lengths; an HMAC's length is no secret. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
