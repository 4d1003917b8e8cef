/**
 * odoo.read and odoo.search_read: no side effects (a dry run executes them for real,
 * they only read). Every call is marked idempotent, so the client repeats it by itself
 * on any transient failure.
 */
import { z } from 'zod';
import { CrossdockError } from '../../../errors/index.ts';
import { dynamic, type StepType } from '../../../workflows/index.ts';
import {
  brief,
  callOptions,
  connection,
  fieldName,
  missingRecord,
  modelName,
  onConnection,
  recordIdsSchema,
  resolved,
  type OdooClientPool,
} from './shared.ts';

type OdooRecord = Record<string, unknown> & { id: number };

const ReadConfig = z.strictObject({
  connection,
  model: modelName(),
  ids: dynamic(recordIdsSchema),
  /** Omitted: every field (Odoo's default), which can be large. */
  fields: z.array(fieldName()).min(1).optional(),
  /** Odoo's read silently drops ids that do not exist; `fail` (the default) refuses that. */
  missing: z.enum(['fail', 'skip']).default('fail'),
});
type ReadConfig = z.output<typeof ReadConfig>;

export function readStep(pool: OdooClientPool): StepType<ReadConfig> {
  return {
    type: 'odoo.read',
    description:
      'Reads Odoo records by id; output is the list of records (many2one as [id, "name"])',
    config: ReadConfig as z.ZodType<ReadConfig>,
    sideEffect: false,
    async execute(ctx, config) {
      const ids = resolved(config.ids, 'ids');
      const kwargs = config.fields === undefined ? {} : { fields: config.fields };
      const records = await pool
        .get(config.connection)
        .call<OdooRecord[]>(config.model, 'read', [ids], kwargs, undefined, callOptions(ctx, true));
      if (config.missing === 'fail' && records.length < ids.length) {
        const found = new Set(records.map((record) => record.id));
        throw missingRecord(
          config.model,
          ids.filter((id) => !found.has(id)),
        );
      }
      return { kind: 'done', output: records };
    },
    describe: (c) =>
      `would read ${c.model} ${brief(c.ids)}${c.fields ? ` fields ${c.fields.join(', ')}` : ''}${onConnection(c.connection)}`,
  };
}

const SearchReadConfig = z
  .strictObject({
    connection,
    model: modelName(),
    /** An Odoo domain in prefix notation, e.g. [["state", "=", "sale"]]; or an expression. */
    domain: dynamic(z.array(z.unknown())).default([]),
    fields: z.array(fieldName()).min(1).optional(),
    order: dynamic(z.string().min(1)).optional(),
    limit: dynamic(z.int().positive()).optional(),
    offset: dynamic(z.int().min(0)).default(0),
    /** Fetch page after page until a short page; refused above max_records. */
    all_pages: z.boolean().default(false),
    page_size: z.int().min(1).max(5_000).default(500),
    max_records: z.int().min(1).max(1_000_000).default(10_000),
  })
  .superRefine((config, issues) => {
    if (config.all_pages && config.limit !== undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['limit'],
        message: 'with all_pages, bound the result with max_records instead of limit',
      });
    }
  });
type SearchReadConfig = z.output<typeof SearchReadConfig>;

/** Paging needs a total order; "id" breaks ties (and is the order when none is given). */
function pagingOrder(order: string | undefined): string {
  if (order === undefined) return 'id';
  return /(^|,)\s*id(\s+(asc|desc))?\s*(,|$)/i.test(order) ? order : `${order}, id`;
}

export function searchReadStep(pool: OdooClientPool): StepType<SearchReadConfig> {
  return {
    type: 'odoo.search_read',
    description:
      'Searches Odoo records by domain; output { records, count } (count = records returned)',
    config: SearchReadConfig as z.ZodType<SearchReadConfig>,
    sideEffect: false,
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const domain = resolved(config.domain, 'domain');
      const offset = resolved(config.offset, 'offset');
      const base = config.fields === undefined ? {} : { fields: config.fields };
      const page = (kwargs: Record<string, unknown>) =>
        client.call<OdooRecord[]>(
          config.model,
          'search_read',
          [domain],
          { ...base, ...kwargs },
          undefined,
          callOptions(ctx, true),
        );
      if (!config.all_pages) {
        const kwargs: Record<string, unknown> = { offset };
        if (config.order !== undefined) kwargs.order = config.order;
        if (config.limit !== undefined) kwargs.limit = resolved(config.limit, 'limit');
        const records = await page(kwargs);
        return { kind: 'done', output: { records, count: records.length } };
      }
      const records = await allPages(config, page, offset);
      return { kind: 'done', output: { records, count: records.length } };
    },
    describe: (c) =>
      `would search_read ${c.model} where ${brief(c.domain)}${c.fields ? ` fields ${c.fields.join(', ')}` : ''}` +
      (c.all_pages
        ? ` (all pages of ${c.page_size}, at most ${c.max_records})`
        : c.limit === undefined
          ? ''
          : ` limit ${c.limit}`) +
      onConnection(c.connection),
  };
}

/**
 * Pages of `page_size` until one comes back short. Records that move between pages while
 * we read (another writer changes the sort key) can appear twice: they are kept once.
 */
async function allPages(
  config: SearchReadConfig,
  page: (kwargs: Record<string, unknown>) => Promise<OdooRecord[]>,
  offset: number,
): Promise<OdooRecord[]> {
  // An order is text once resolved (unlike domain or ids): it is used as it is.
  const order = pagingOrder(config.order);
  const seen = new Set<number>();
  const records: OdooRecord[] = [];
  for (let at = offset; ; at += config.page_size) {
    const rows = await page({ order, limit: config.page_size, offset: at });
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      records.push(row);
    }
    if (records.length > config.max_records) {
      throw new CrossdockError(
        'ODOO_TOO_MANY_RECORDS',
        `More than ${config.max_records} ${config.model} records match ${brief(config.domain)}; narrow the domain or raise max_records`,
        { category: 'user', retryable: false },
      );
    }
    if (rows.length < config.page_size) return records;
  }
}
