/**
 * Every error Crossdock raises carries a stable string code, a category and whether
 * retrying can help. Foreign failures (Odoo, HTTP, sockets, the database) are mapped
 * once, at the edge, into a CrossdockError; a CrossdockError is never wrapped again.
 */

export const ErrorCategory = {
  user: 'user',
  transient: 'transient',
  policy: 'policy',
  bug: 'bug',
} as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

export interface ErrorDetail {
  /** Where the problem is: a field path, `file:line path`, a step id. */
  path: string;
  message: string;
}

export interface CrossdockErrorOptions {
  category: ErrorCategory;
  retryable?: boolean;
  /** Milliseconds the caller should wait before retrying (e.g. from Retry-After). */
  retryAfterMs?: number;
  details?: ErrorDetail[];
  cause?: unknown;
}

export class CrossdockError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: ErrorDetail[];

  constructor(code: string, message: string, options: CrossdockErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CrossdockError';
    this.code = code;
    this.category = options.category;
    this.retryable = options.retryable ?? options.category === 'transient';
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? [];
  }

  /** A JSON-safe form, as stored in checkpoints and returned by the API. */
  toJSON(): SerializedError {
    const out: SerializedError = {
      code: this.code,
      message: this.message,
      category: this.category,
      retryable: this.retryable,
    };
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    if (this.details.length > 0) out.details = this.details;
    return out;
  }
}

export interface SerializedError {
  code: string;
  message: string;
  category: ErrorCategory;
  retryable: boolean;
  retryAfterMs?: number;
  details?: ErrorDetail[];
}

export function isCrossdockError(value: unknown): value is CrossdockError {
  return value instanceof CrossdockError;
}

/**
 * Turns anything thrown into a CrossdockError. Our own errors pass through untouched;
 * anything else is a bug in the code that threw it (foreign failures must be mapped
 * at their edge before they get here).
 */
export function toCrossdockError(value: unknown): CrossdockError {
  if (value instanceof CrossdockError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new CrossdockError('INTERNAL', message, { category: 'bug', retryable: false, cause: value });
}
