/**
 * Python exceptions as the simulator raises them. Each carries the dotted class Odoo
 * reports in JSON-RPC `data.name`, the message, and the `context` Odoo attaches (empty
 * except for automation-rule failures). How each protocol encodes them:
 * - JSON-RPC: HTTP 200 `error` envelope, code 200 ("Odoo Server Error") or 100 (session);
 * - XML-RPC: fault 2 for UserError family, 3 AccessDenied, 4 AccessError, 1 otherwise;
 * - JSON-2: HTTP 422/403/404/401/500 with {name, message, arguments, context, debug}.
 */

export class PyError extends Error {
  readonly qualifiedName: string;
  readonly pyMessage: string;
  readonly pyArguments: readonly unknown[];
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    qualifiedName: string,
    message: string,
    options: { args?: unknown[]; context?: Record<string, unknown> } = {},
  ) {
    super(`${qualifiedName}: ${message}`);
    this.name = 'PyError';
    this.qualifiedName = qualifiedName;
    this.pyMessage = message;
    this.pyArguments = options.args ?? [message];
    this.context = options.context ?? {};
  }

  get shortName(): string {
    return this.qualifiedName.slice(this.qualifiedName.lastIndexOf('.') + 1);
  }

  /** The exception line Python prints last in a traceback. */
  get exceptionLine(): string {
    const name = this.qualifiedName.startsWith('builtins.') ? this.shortName : this.qualifiedName;
    const text =
      this.qualifiedName === 'builtins.KeyError' ? pyStringRepr(this.pyMessage) : this.pyMessage;
    return `${name}: ${text}`;
  }

  /** A traceback in the fixtures' shortened form (this simulator has no Python frames). */
  get traceback(): string {
    return `Traceback (most recent call last):\n  ... [simulated by the Crossdock Odoo simulator: no Python frames] ...\n${this.exceptionLine}\n`;
  }

  isOdooException(): boolean {
    return this.qualifiedName.startsWith('odoo.exceptions.');
  }
}

/** Python's repr of a str: single quotes unless the text contains one and no double quote. */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(new RegExp(quote, 'g'), `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/** Python's repr of a JSON value (lists stay lists: JSON carries no tuples). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, member]) => `${pyStringRepr(key)}: ${pyRepr(member)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Python's repr of a tuple, as in "Invalid leaf ('name', 'likeish', 'S0')". */
export function pyTupleRepr(values: readonly unknown[]): string {
  return values.length === 1 ? `(${pyRepr(values[0])},)` : `(${values.map(pyRepr).join(', ')})`;
}

type Context = Record<string, unknown>;

export const py = {
  userError: (message: string, context?: Context) =>
    new PyError('odoo.exceptions.UserError', message, context ? { context } : {}),
  validationError: (message: string) => new PyError('odoo.exceptions.ValidationError', message),
  accessError: (message: string) => new PyError('odoo.exceptions.AccessError', message),
  accessDenied: () => new PyError('odoo.exceptions.AccessDenied', 'Access Denied'),
  missingError: (message: string) => new PyError('odoo.exceptions.MissingError', message),
  valueError: (message: string) => new PyError('builtins.ValueError', message),
  typeError: (message: string) => new PyError('builtins.TypeError', message),
  attributeError: (message: string) => new PyError('builtins.AttributeError', message),
  assertionError: (message: string) => new PyError('builtins.AssertionError', message),
  keyError: (key: string) => new PyError('builtins.KeyError', key),
  exception: (message: string) => new PyError('builtins.Exception', message),
  operationalError: (message: string) => new PyError('psycopg2.OperationalError', message),
  invalidTextRepresentation: (message: string) =>
    new PyError('psycopg2.errors.InvalidTextRepresentation', message),
  serializationFailure: () =>
    new PyError(
      'psycopg2.errors.SerializationFailure',
      'could not serialize access due to concurrent update\n',
    ),
  sessionExpired: () => new PyError('odoo.http.SessionExpiredException', 'Session expired'),
};

/** "Record does not exist or has been deleted." as MissingError words it. */
export function missingRecord(model: string, ids: readonly number[], uid: number): PyError {
  const records = `${model}${pyTupleRepr(ids)}`;
  return py.missingError(
    `Record does not exist or has been deleted.\n(Record: ${records}, User: ${uid})`,
  );
}
