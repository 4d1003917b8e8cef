/**
 * x2many write commands (Odoo's `Command` namespace). A one2many/many2many value in
 * `create`/`write` is a list of these tuples, e.g. `order_line: [Command.create({...})]`.
 * Each helper returns the full three-element tuple; Odoo 17 also accepts shorter forms
 * like `[4, id]`, but we always send the canonical one.
 */

export type OdooValues = Readonly<Record<string, unknown>>;

export type CreateCommand = readonly [0, 0, OdooValues];
export type UpdateCommand = readonly [1, number, OdooValues];
export type DeleteCommand = readonly [2, number, 0];
export type UnlinkCommand = readonly [3, number, 0];
export type LinkCommand = readonly [4, number, 0];
export type ClearCommand = readonly [5, 0, 0];
export type SetCommand = readonly [6, 0, readonly number[]];

export type X2manyCommand =
  | CreateCommand
  | UpdateCommand
  | DeleteCommand
  | UnlinkCommand
  | LinkCommand
  | ClearCommand
  | SetCommand;

export const Command = {
  /** Create a new related record with `values` and link it. */
  create: (values: OdooValues): CreateCommand => [0, 0, values],
  /** Write `values` on the related record `id`. */
  update: (id: number, values: OdooValues): UpdateCommand => [1, id, values],
  /** Remove the related record `id` from the relation and delete it from the database. */
  delete: (id: number): DeleteCommand => [2, id, 0],
  /** Remove `id` from the relation without deleting it (many2many; one2many may cascade). */
  unlink: (id: number): UnlinkCommand => [3, id, 0],
  /** Add the existing record `id` to the relation. */
  link: (id: number): LinkCommand => [4, id, 0],
  /** Remove every record from the relation (like `unlink` on each). */
  clear: (): ClearCommand => [5, 0, 0],
  /** Replace the relation by exactly `ids`. */
  set: (ids: readonly number[]): SetCommand => [6, 0, [...ids]],
} as const;
