/** Seed rows per model: raw stored values (many2one as an id, x2many as id lists). */
export type SeedRow = Record<string, unknown> & { id: number };
export type SeedRows = Record<string, SeedRow[]>;
