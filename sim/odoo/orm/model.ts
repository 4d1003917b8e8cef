/**
 * A simulated Odoo model: its fields, default order, display name and the public
 * methods it answers beyond the generic ORM ones (search, read, write, ...).
 */
import type { Env } from './env.ts';
import type { FieldDef, FieldMap } from './fields.ts';
import type { Row } from './store.ts';

export interface MethodCall {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** A public method. Record methods get the ids from `args[0]`; see bind.ts for parameters. */
export type ModelMethod = (env: Env, call: MethodCall) => unknown;

export interface ModelHooks {
  /** Before values are checked and an id is taken: fill defaults, consume sequences. */
  prepareCreate?(env: Env, vals: Record<string, unknown>): Record<string, unknown>;
  afterCreate?(env: Env, id: number, vals: Record<string, unknown>): Promise<void> | void;
  beforeWrite?(env: Env, ids: number[], vals: Record<string, unknown>): void;
  afterWrite?(env: Env, ids: number[], vals: Record<string, unknown>): Promise<void> | void;
  beforeUnlink?(env: Env, ids: number[]): Promise<void> | void;
}

export interface ModelDef {
  name: string;
  /** `_description`, used in error messages ("Sales Order (sale.order)"). */
  description: string;
  fields: FieldMap;
  /** `_order`, e.g. "date_order desc, id desc". */
  order: string;
  displayName?: (env: Env, row: Row) => string;
  methods?: Record<string, ModelMethod>;
  hooks?: ModelHooks;
  /** Wizards (TransientModel). */
  transient?: boolean;
}

export class Registry {
  readonly #models = new Map<string, ModelDef>();

  add(model: ModelDef): void {
    if (this.#models.has(model.name)) throw new Error(`model ${model.name} defined twice`);
    this.#models.set(model.name, model);
  }

  get(name: string): ModelDef | undefined {
    return this.#models.get(name);
  }

  names(): string[] {
    return [...this.#models.keys()];
  }
}

export function fieldOf(model: ModelDef, name: string): FieldDef | undefined {
  return Object.hasOwn(model.fields, name) ? model.fields[name] : undefined;
}
