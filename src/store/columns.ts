import type { ColumnType } from 'kysely';

/**
 * A column as migrations/ create it, at run time and in the types. The runtime half (its
 * PostgreSQL type, nullability, whether the database fills it in) is what the schema test
 * compares with information_schema on both stores; the type half is what Kysely sees. One
 * declaration gives both, so the two cannot drift apart.
 *
 * The TypeScript types are what the drivers return, the same on `pg` and PGlite: bigint
 * and numeric as strings (PGlite is told to keep int8 a string, as `pg` does), timestamptz
 * as Date, jsonb parsed. jsonb is written as JSON text (`pg` would turn a JS array into a
 * PostgreSQL array).
 */
export const PgType = {
  bigint: 'bigint',
  integer: 'integer',
  numeric: 'numeric',
  text: 'text',
  boolean: 'boolean',
  jsonb: 'jsonb',
  timestamptz: 'timestamp with time zone',
  bytea: 'bytea',
} as const;
export type PgType = (typeof PgType)[keyof typeof PgType];

export class Column<Select, Insert, Update> {
  /** Types only: Kysely's view of this column. */
  declare readonly kysely: ColumnType<Select, Insert, Update>;

  constructor(
    /** As information_schema.columns.data_type names it. */
    readonly pgType: PgType,
    readonly nullable = false,
    /** The database fills it in when an insert leaves it out (a DEFAULT or an identity). */
    readonly generated = false,
  ) {}

  /** NULL allowed: reads may return null, inserts may leave it out. */
  orNull(): Column<Select | null, Insert | null | undefined, Update | null> {
    return new Column(this.pgType, true, this.generated);
  }

  /** Has a DEFAULT: inserts may leave it out. */
  defaulted(): Column<Select, Insert | undefined, Update> {
    return new Column(this.pgType, this.nullable, true);
  }
}

export type AnyColumn = Column<unknown, unknown, unknown>;

/** `GENERATED ALWAYS AS IDENTITY`: never written by us. */
export const identity = () => new Column<string, never, never>(PgType.bigint, false, true);
/** A bigint holding another row's id. */
export const bigint = () => new Column<string, string, string>(PgType.bigint);
/** A bigint counter; read back as a string, written as a number. */
export const bigintCount = () => new Column<string, number, number>(PgType.bigint);
export const integer = () => new Column<number, number, number>(PgType.integer);
/** Arbitrary precision, read as a string so no digit is lost. */
export const numeric = () => new Column<string, string | number, string | number>(PgType.numeric);
export const text = <T extends string = string>() => new Column<T, T, T>(PgType.text);
export const boolean = () => new Column<boolean, boolean, boolean>(PgType.boolean);
export const jsonb = <T = unknown>() => new Column<T, string, string>(PgType.jsonb);
/** Bytes: read as a Uint8Array (a Buffer on `pg`), written as a Buffer. */
export const bytea = () => new Column<Uint8Array, Uint8Array, Uint8Array>(PgType.bytea);
export const timestamptz = () => new Column<Date, Date | string, Date | string>(PgType.timestamptz);

/** Kysely's table interface for a map of columns. */
export type TableOf<Columns extends Record<string, AnyColumn>> = {
  [K in keyof Columns]: Columns[K]['kysely'];
};
