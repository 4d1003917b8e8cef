/**
 * Python-style argument binding for the simulated methods, so wrong calls fail with the
 * TypeError Odoo would raise ("BaseModel._read_format() got an unexpected keyword
 * argument 'limitt'", see error-wrong-kwarg).
 */
import { py } from '../errors.ts';

export interface Parameter {
  name: string;
  /** Absent: the parameter is required. */
  default?: unknown;
}

/** Optional parameter (defaults to `defaultValue`, None when omitted). */
export const opt = (name: string, defaultValue: unknown = null): Parameter => ({ name, default: defaultValue });
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

export function bindArguments(parameters: readonly Parameter[], args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, options: BindOptions): Bound {
  if (args.length > parameters.length) {
    const required = parameters.filter((p) => !('default' in p)).length + 1;
    const total = parameters.length + 1;
    const range = required === total ? `${total}` : `from ${required} to ${total}`;
    throw py.typeError(`${options.qualName}() takes ${range} positional arguments but ${args.length + 1} were given`);
  }
  const values: Record<string, unknown> = {};
  parameters.forEach((parameter, index) => {
    if (index < args.length) values[parameter.name] = args[index];
  });
  const extra: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(kwargs)) {
    const known = parameters.some((parameter) => parameter.name === name);
    if (!known) {
      if (options.extraKeywords === true) {
        extra[name] = value;
        continue;
      }
      throw py.typeError(`${options.qualName}() got an unexpected keyword argument '${name}'`);
    }
    if (name in values) throw py.typeError(`${options.qualName}() got multiple values for argument '${name}'`);
    values[name] = value;
  }
  for (const parameter of parameters) {
    if (parameter.name in values) continue;
    if (!('default' in parameter)) {
      throw py.typeError(`${options.qualName}() missing 1 required positional argument: '${parameter.name}'`);
    }
    values[parameter.name] = parameter.default;
  }
  return { values, extra };
}

/** Record ids as execute_kw passes them: a list, a single id, or anything else (no records). */
export function toIds(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value)) return value.filter((id): id is number => typeof id === 'number' && Number.isInteger(id));
  return [];
}
