/**
 * The environment one RPC call runs in: a transaction, a user, a context. Like Odoo's
 * `env`, it is the entry point to every model operation; access rights are checked for
 * the user unless the environment is sudo'ed (`su`).
 */
import { py } from '../errors.ts';
import type { SimRuntime } from '../runtime.ts';
import { emptyValue, type FieldDef } from './fields.ts';
import { fieldOf, type ModelDef } from './model.ts';
import { orderIds } from './order.ts';
import { readRecords } from './read.ts';
import { searchIds, type SearchOptions } from './search.ts';
import type { Row, Transaction } from './store.ts';
import { createRecord, unlinkRecords, writeRecords } from './write.ts';

export type Context = Readonly<Record<string, unknown>>;

export class Env {
  readonly runtime: SimRuntime;
  readonly tx: Transaction;
  readonly uid: number;
  readonly context: Context;
  /** Superuser mode: access rights and record rules are not checked. */
  readonly su: boolean;

  constructor(
    runtime: SimRuntime,
    tx: Transaction,
    uid: number,
    context: Context = {},
    su = false,
  ) {
    this.runtime = runtime;
    this.tx = tx;
    this.uid = uid;
    this.context = context;
    this.su = su;
  }

  sudo(): Env {
    return new Env(this.runtime, this.tx, this.uid, this.context, true);
  }

  withUser(uid: number): Env {
    return new Env(this.runtime, this.tx, uid, this.context, this.su);
  }

  withContext(patch: Context): Env {
    return new Env(this.runtime, this.tx, this.uid, { ...this.context, ...patch }, this.su);
  }

  /** The model, or Odoo's UserError for an unknown name. */
  model(name: string): ModelDef {
    const model = this.runtime.registry.get(name);
    if (model === undefined) throw py.userError(`Object ${name} doesn't exist`);
    return model;
  }

  field(model: string, name: string): FieldDef {
    const field = fieldOf(this.model(model), name);
    if (field === undefined) throw py.valueError(this.runtime.messages.invalidField(model, name));
    return field;
  }

  row(model: string, id: number): Row | undefined {
    return this.tx.get(model, id);
  }

  /** The raw value of a field: stored, computed, or the related ids of a one2many. */
  value(model: string, id: number, name: string): unknown {
    const row = this.row(model, id);
    if (row === undefined) return false;
    if (name === 'id') return id;
    if (name === 'display_name') return this.displayName(model, id);
    const field = this.field(model, name);
    if (field.compute !== undefined) return field.compute(this, row);
    if (field.type === 'one2many' && field.relation !== undefined && field.inverse !== undefined) {
      // Relations to models the simulator does not have (delivery.price.rule, ...) are empty.
      if (this.runtime.registry.get(field.relation) === undefined) return [];
      const inverse = field.inverse;
      const related = this.tx
        .ids(field.relation)
        .filter((other) => this.row(field.relation ?? '', other)?.[inverse] === id);
      return orderIds(this, field.relation, related);
    }
    const value = row[name] ?? emptyValue(field.type);
    // Odoo reads a many2many in the order of the related model (ir.model.fields by name, ...).
    if (
      field.type === 'many2many' &&
      Array.isArray(value) &&
      field.relation !== undefined &&
      this.runtime.registry.get(field.relation) !== undefined
    ) {
      return orderIds(
        this,
        field.relation,
        value.filter((other): other is number => typeof other === 'number'),
      );
    }
    return value;
  }

  displayName(model: string, id: number): string {
    const definition = this.model(model);
    const row = this.row(model, id);
    if (row === undefined) return `${model},${id}`;
    if (definition.displayName !== undefined) return definition.displayName(this, row);
    const name = row.name;
    return typeof name === 'string' ? name : `${model},${id}`;
  }

  search(model: string, domain: unknown, options: SearchOptions = {}): number[] {
    return searchIds(this, model, domain, options);
  }

  read(
    model: string,
    ids: readonly number[],
    fields?: readonly string[],
  ): Record<string, unknown>[] {
    return readRecords(this, model, ids, fields);
  }

  create(model: string, vals: Record<string, unknown>): Promise<number> {
    return createRecord(this, model, vals);
  }

  write(model: string, ids: readonly number[], vals: Record<string, unknown>): Promise<void> {
    return writeRecords(this, model, [...ids], vals);
  }

  unlink(model: string, ids: readonly number[]): Promise<void> {
    return unlinkRecords(this, model, [...ids]);
  }

  now(): Date {
    return this.runtime.clock();
  }

  /** Odoo's datetime format at seconds precision, as fields.Datetime.now() stores it. */
  nowString(): string {
    return this.now().toISOString().slice(0, 19).replace('T', ' ');
  }

  /**
   * create_date/write_date: the transaction's timestamp, kept to the microsecond
   * ("... 04:31:10.992157"); every record one call writes gets the same one, as in Odoo.
   */
  nowWithMicroseconds(): string {
    return this.tx.timestamp(() => this.now());
  }

  today(): string {
    return this.now().toISOString().slice(0, 10);
  }
}
