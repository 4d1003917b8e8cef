import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields an audit entry's hash covers: all of them, and the previous entry's hash. */
export interface ChainedFields {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  requestId: string | null;
  prevHash: string;
}

/** JSON with object keys sorted at every level, so the stored (jsonb) form hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryHash(fields: ChainedFields): string {
  const { seq, at, actor, action, target, details, requestId, prevHash } = fields;
  return createHash('sha256')
    .update(canonicalJson({ seq, at, actor, action, target, details, requestId, prevHash }))
    .digest('hex');
}
