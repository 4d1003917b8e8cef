/**
 * Python-style argument binding for the simulated methods, so wrong calls fail with the
 * TypeError Odoo would raise ("BaseModel._read_format() got an unexpected keyword
 * argument 'limitt'", see error-wrong-kwarg).
 */
import { PyError, py } from '../errors.ts';

/**
 * The TypeError of a call whose arguments do not fit the method. It keeps what was wrong,
 * because Odoo 19's JSON-2 binds the arguments itself (inspect.Signature.bind) and words
 * it differently: a missing argument first, "missing a required argument: 'domain'".
 */
export class BindError extends PyError {
  readonly qualName: string;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];

  constructor(qualName: string, missing: string[], unexpected: string[]) {
    const message =
      unexpected[0] !== undefined
        ? `${qualName}() got an unexpected keyword argument '${unexpected[0]}'`
        : `${qualName}() missing 1 required positional argument: '${missing[0] ?? ''}'`;
    super('builtins.TypeError', message);
    this.qualName = qualName;
    this.missing = missing;
    this.unexpected = unexpected;
  }

  /** The message of Python's Signature.bind for the same arguments. */
  get signatureBindMessage(): string {
    return this.missing[0] !== undefined
      ? `missing a required argument: '${this.missing[0]}'`
      : `got an unexpected keyword argument '${this.unexpected[0] ?? ''}'`;
  }
}

export interface Parameter {
  name: string;
  /** Absent: the parameter is required. */
  default?: unknown;
}

/** Optional parameter (defaults to `defaultValue`, None when omitted). */
export const opt = (name: string, defaultValue: unknown = null): Parameter => ({
  name,
  default: defaultValue,
});
export const req = (name: string): Parameter => ({ name });

export interface BindOptions {
  /** Name used in TypeError messages, e.g. "BaseModel.search". */
  qualName: string;
  /** Accept unknown keyword arguments (Python **kwargs) and return them apart. */
  extraKeywords?: boolean;
}

export interface Bound {
  values: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export function bindArguments(
  parameters: readonly Parameter[],
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: BindOptions,
): Bound {
  if (args.length > parameters.length) {
    const required = parameters.filter((p) => !('default' in p)).length + 1;
    const total = parameters.length + 1;
    const range = required === total ? `${total}` : `from ${required} to ${total}`;
    throw py.typeError(
      `${options.qualName}() takes ${range} positional arguments but ${args.length + 1} were given`,
    );
  }
  const values: Record<string, unknown> = {};
  parameters.forEach((parameter, index) => {
    if (index < args.length) values[parameter.name] = args[index];
  });
  const extra: Record<string, unknown> = {};
  const unexpected: string[] = [];
  for (const [name, value] of Object.entries(kwargs)) {
    const known = parameters.some((parameter) => parameter.name === name);
    if (!known) {
      if (options.extraKeywords === true) extra[name] = value;
      else unexpected.push(name);
      continue;
    }
    if (name in values)
      throw py.typeError(`${options.qualName}() got multiple values for argument '${name}'`);
    values[name] = value;
  }
  const missing = parameters
    .filter((parameter) => !(parameter.name in values) && !('default' in parameter))
    .map((parameter) => parameter.name);
  if (unexpected.length > 0 || missing.length > 0)
    throw new BindError(options.qualName, missing, unexpected);
  for (const parameter of parameters) {
    if (!(parameter.name in values)) values[parameter.name] = parameter.default;
  }
  return { values, extra };
}

/** Record ids as execute_kw passes them: a list, a single id, or anything else (no records). */
export function toIds(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value))
    return value.filter((id): id is number => typeof id === 'number' && Number.isInteger(id));
  return [];
}
