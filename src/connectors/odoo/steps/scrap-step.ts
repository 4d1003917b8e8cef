/**
 * odoo.scrap: scraps products from a location, the way the recorded fixtures show
 * (inv-09..15): stock.scrap create {product_id, scrap_qty, location_id, origin, picking_id},
 * then action_validate, which answers `true`, or, when the location holds less than the
 * quantity, the stock.warn.insufficient.qty.scrap wizard, answered with action_done (create
 * it with {} and the returned context): the goods are physically there (they were just
 * received), so the scrap goes through as the warehouse would force it in Odoo.
 */
import { z } from 'zod';
import { dynamic, type StepContext, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import {
  brief,
  callOptions,
  connection,
  onConnection,
  recordIdSchema,
  resolved,
  unexpectedResult,
  type OdooClientPool,
} from './shared.ts';

const scrapSchema = z.strictObject({
  product_id: recordIdSchema,
  quantity: z.number().positive(),
  location_id: recordIdSchema,
  /** The scrap's Source Document; one scrap per origin and product (what makes a repeat find it). */
  origin: z.string().min(1).max(200),
  picking_id: recordIdSchema.optional(),
});
type Scrap = z.output<typeof scrapSchema>;

const ScrapConfig = z.strictObject({
  connection,
  scraps: dynamic(z.array(scrapSchema)),
});
type ScrapConfig = z.output<typeof ScrapConfig>;

export function scrapStep(pool: OdooClientPool): StepType<ScrapConfig> {
  return {
    type: 'odoo.scrap',
    description:
      'Scraps products (stock.scrap, validated), once per origin and product; output { scrap_ids, created }',
    config: ScrapConfig as z.ZodType<ScrapConfig>,
    sideEffect: true,
    ownIdempotency: 'finds each scrap by origin and product; validates only scraps not done',
    // Keyed on the Source Documents the scraps are found by (one origin per request in the packs).
    serializeOn: (c) =>
      Array.isArray(c.scraps) && c.scraps.length > 0
        ? `odoo:${c.connection}:stock.scrap:origin=${[...new Set(c.scraps.map((x) => x.origin))].sort().join('|')}`
        : null,
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const ids: number[] = [];
      let created = 0;
      for (const scrap of resolved(config.scraps, 'scraps')) {
        const found = await findScrap(ctx, client, scrap);
        // Idempotency: the scrap carries its origin and product from create on, so a
        // repeat finds it; a draft one left by a crash is validated, a done one left alone.
        const id = found?.id ?? (await createScrap(ctx, client, scrap));
        if (found === undefined) created += 1;
        if (found?.state !== 'done') await validate(ctx, client, id);
        ids.push(id);
      }
      return { kind: 'done', output: { scrap_ids: ids, created } };
    },
    describe: (c) =>
      `would scrap ${brief(c.scraps)} unless already scrapped${onConnection(c.connection)}`,
  };
}

async function findScrap(
  ctx: StepContext,
  client: OdooClient,
  scrap: Scrap,
): Promise<{ id: number; state: string } | undefined> {
  const [found] = await client.call<{ id: number; state: string }[]>(
    'stock.scrap',
    'search_read',
    [
      [
        ['origin', '=', scrap.origin],
        ['product_id', '=', scrap.product_id],
      ],
    ],
    { fields: ['state'], order: 'id', limit: 1 },
    undefined,
    callOptions(ctx, true),
  );
  return found;
}

function createScrap(ctx: StepContext, client: OdooClient, scrap: Scrap): Promise<number> {
  const values: Record<string, unknown> = {
    product_id: scrap.product_id,
    scrap_qty: scrap.quantity,
    location_id: scrap.location_id,
    origin: scrap.origin,
  };
  if (scrap.picking_id !== undefined) values.picking_id = scrap.picking_id;
  return client.call<number>(
    'stock.scrap',
    'create',
    [values],
    {},
    undefined,
    callOptions(ctx, false),
  );
}

async function validate(ctx: StepContext, client: OdooClient, id: number): Promise<void> {
  const answer = await client.call<unknown>(
    'stock.scrap',
    'action_validate',
    [[id]],
    {},
    undefined,
    callOptions(ctx, false),
  );
  if (answer === true) return;
  const action = answer as { res_model?: unknown; context?: Record<string, unknown> } | null;
  if (action?.res_model !== 'stock.warn.insufficient.qty.scrap')
    throw unexpectedResult(
      `stock.scrap ${id}: action_validate answered neither true nor the insufficient-quantity wizard`,
      answer,
    );
  const context = action.context ?? {};
  const wizard = await client.call<number>(
    'stock.warn.insufficient.qty.scrap',
    'create',
    [{}],
    {},
    context,
    callOptions(ctx, false),
  );
  await client.call(
    'stock.warn.insufficient.qty.scrap',
    'action_done',
    [[wizard]],
    {},
    context,
    callOptions(ctx, false),
  );
}
