/**
 * Every error Crossdock raises carries a stable string code, a category and whether
 * retrying can help. Foreign failures (Odoo, HTTP, sockets, the database) are mapped
 * once, at the edge, into a CrossdockError; a CrossdockError is never wrapped again.
 */

import { ErrorCategory } from './category.ts';
import { ERROR_CODES, isErrorCode, type ErrorCode } from './codes.ts';

export { ErrorCategory };
export {
  ERROR_CODES,
  isErrorCode,
  pickErrorCodes,
  type ErrorCode,
  type ErrorCodeSpec,
} from './codes.ts';

declare const foreign: unique symbol;
/**
 * A code Crossdock did not choose, so not in the registry: the code of a workflow's `fail`
 * step, or one a Crossdock API answered that this (older) CLI does not know.
 */
export type ForeignCode = string & { readonly [foreign]: true };

export interface ErrorDetail {
  /** Where the problem is: a field path, `file:line path`, a step id. */
  path: string;
  message: string;
}

export interface CrossdockErrorOptions<C extends ErrorCode = ErrorCode> {
  /** The registry's category of the code (ERROR_CODES); it may be repeated here, never changed. */
  category?: (typeof ERROR_CODES)[C]['category'];
  /** Overrides the registry's `retryable` for this occurrence (an HTTP 408 is worth retrying). */
  retryable?: boolean;
  /** Milliseconds the caller should wait before retrying (e.g. from Retry-After). */
  retryAfterMs?: number;
  details?: ErrorDetail[];
  cause?: unknown;
}

/** A foreign code has no registry entry: its category is said where it is raised. */
export interface ForeignErrorOptions extends Omit<CrossdockErrorOptions, 'category'> {
  category: ErrorCategory;
}

class CrossdockErrorClass extends Error {
  readonly code: ErrorCode | ForeignCode;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: ErrorDetail[];

  constructor(
    code: ErrorCode | ForeignCode,
    message: string,
    options: CrossdockErrorOptions | ForeignErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // A foreign code that happens to spell a registry code keeps the category it was given.
    const spec = isErrorCode(code) ? ERROR_CODES[code] : undefined;
    this.name = 'CrossdockError';
    this.code = code;
    this.category = options.category ?? spec?.category ?? 'bug';
    this.retryable = options.retryable ?? spec?.retryable ?? this.category === 'transient';
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? [];
  }

  /** An error with a code of someone else's choosing (see ForeignCode). */
  static foreign(code: string, message: string, options: ForeignErrorOptions): CrossdockError {
    return new CrossdockErrorClass(code as ForeignCode, message, options);
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

export interface CrossdockErrorConstructor {
  /** Only a registry code: a mistyped one, or a category other than the registry's, fails typechecking. */
  new <C extends ErrorCode>(
    code: C,
    message: string,
    options?: CrossdockErrorOptions<C>,
  ): CrossdockError;
  readonly prototype: CrossdockError;
  foreign(code: string, message: string, options: ForeignErrorOptions): CrossdockError;
}

export type CrossdockError = CrossdockErrorClass;
export const CrossdockError: CrossdockErrorConstructor = CrossdockErrorClass;

/** The HTTP status the API answers for this error: the registry's, or its category's for a foreign code. */
export function httpStatusOf(error: CrossdockError): number {
  if (isErrorCode(error.code)) return ERROR_CODES[error.code].httpStatus;
  return STATUS_BY_CATEGORY[error.category];
}

const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  user: 400,
  policy: 422,
  transient: 503,
  bug: 500,
};

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
  return new CrossdockError('INTERNAL', message, {
    category: 'bug',
    retryable: false,
    cause: value,
  });
}
