/**
 * odoo.return_picking: the return of a done delivery, made the way the recorded fixtures show
 * (ret-01..05): default_get of stock.return.picking with the delivery as active record (it
 * fills only picking_id), create {picking_id} (Odoo computes one line per done move, at the
 * moved quantity; a picking that is not done is refused: "You may only return Done
 * pickings."), the lines set to the quantities to return with [1, line_id, {quantity}]
 * commands (lines left at 0 are skipped), then create_returns, whose window action names the
 * return picking. A customer return is a Receipt (WH/IN/...) whose origin Odoo sets to
 * "Return of <delivery>"; the step then writes its own origin, naming the request. On a done
 * receipt the same calls make a return to the vendor (ret-20..24): an outgoing picking to
 * Partners/Vendors that keeps the purchase order.
 */
import { z } from 'zod';
import { CrossdockError } from '../../../errors/index.ts';
import { dynamic, type StepContext, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import {
  brief,
  callOptions,
  connection,
  missingRecord,
  onConnection,
  recordKey,
  recordIdSchema,
  resolved,
  unexpectedResult,
  type OdooClientPool,
} from './shared.ts';

export const lineSchema = z.strictObject({
  product_id: recordIdSchema,
  quantity: z.number().positive(),
});
export type ReturnLine = z.output<typeof lineSchema>;
export const returnLinesSchema = z.array(lineSchema).min(1);

const ReturnConfig = z.strictObject({
  connection,
  /** The done delivery the goods came with. */
  picking_id: dynamic(recordIdSchema),
  /** The request's own reference (an RMA number, a ticket): one return per reference. */
  reference: dynamic(z.string().min(1).max(120)),
  lines: dynamic(returnLinesSchema),
});
type ReturnConfig = z.output<typeof ReturnConfig>;

interface Picking {
  id: number;
  name: string;
  state: string;
  origin: string | false;
}

export function returnPickingStep(pool: OdooClientPool): StepType<ReturnConfig> {
  return {
    type: 'odoo.return_picking',
    description:
      'Creates the return of a done delivery for given products and quantities, once per reference; output { return_id, name, created }',
    config: ReturnConfig as z.ZodType<ReturnConfig>,
    sideEffect: true,
    ownIdempotency: 'finds the return whose origin names the reference',
    // Two executions for one delivery (its run claimed again while the first was inside) would
    // both find no return and both create one: they run one at a time.
    serializeOn: (c) => recordKey(c.connection, 'stock.picking', c.picking_id),
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const deliveryId = resolved(config.picking_id, 'picking_id');
      const reference = config.reference;
      const lines = resolved(config.lines, 'lines');
      const delivery = await readDelivery(ctx, client, deliveryId);
      const origin = `Return of ${delivery.name}, request ${reference}`;
      // Idempotency: the return carries the reference in its origin, so a repeat finds it.
      // A crash between create_returns and the origin's write leaves Odoo's own origin
      // ("Return of <delivery>"): such a return with exactly these lines, not yet done, is
      // taken as this step's (the workflow runs one request per order at a time).
      const found = await existingReturn(ctx, client, delivery, origin, lines);
      if (found !== undefined) {
        if (found.origin !== origin) await markReturn(ctx, client, found.id, origin);
        return { kind: 'done', output: { return_id: found.id, name: found.name, created: false } };
      }
      const returnId = await createReturn(ctx, client, deliveryId, lines);
      await markReturn(ctx, client, returnId, origin);
      const [made] = await client.call<Picking[]>(
        'stock.picking',
        'read',
        [[returnId]],
        { fields: ['name'] },
        undefined,
        callOptions(ctx, true),
      );
      return {
        kind: 'done',
        output: { return_id: returnId, name: made?.name ?? String(returnId), created: true },
      };
    },
    describe: (c) =>
      `would return ${brief(c.lines)} of stock.picking ${String(c.picking_id)} (stock.return.picking, create_returns) unless request ${String(c.reference)} has its return${onConnection(c.connection)}`,
  };
}

async function readDelivery(ctx: StepContext, client: OdooClient, id: number): Promise<Picking> {
  const [row] = await client.call<Picking[]>(
    'stock.picking',
    'read',
    [[id]],
    { fields: ['name', 'state', 'origin'] },
    undefined,
    callOptions(ctx, true),
  );
  if (row === undefined) throw missingRecord('stock.picking', [id]);
  return row;
}

async function existingReturn(
  ctx: StepContext,
  client: OdooClient,
  delivery: Picking,
  origin: string,
  lines: readonly ReturnLine[],
): Promise<Picking | undefined> {
  const returns = await client.call<Picking[]>(
    'stock.picking',
    'search_read',
    [
      [
        ['return_id', '=', delivery.id],
        ['state', '!=', 'cancel'],
      ],
    ],
    { fields: ['name', 'state', 'origin'], order: 'id' },
    undefined,
    callOptions(ctx, true),
  );
  const marked = returns.find((r) => r.origin === origin);
  if (marked !== undefined) return marked;
  const unmarked = returns.filter(
    (r) => r.origin === `Return of ${delivery.name}` && r.state !== 'done',
  );
  for (const candidate of unmarked) {
    const moves = await client.call<{ product_id: [number, string]; product_uom_qty: number }[]>(
      'stock.move',
      'search_read',
      [[['picking_id', '=', candidate.id]]],
      { fields: ['product_id', 'product_uom_qty'] },
      undefined,
      callOptions(ctx, true),
    );
    if (
      sameQuantities(
        moves.map((m) => [m.product_id[0], m.product_uom_qty]),
        lines,
      )
    )
      return candidate;
  }
  return undefined;
}

function sameQuantities(moves: [number, number][], lines: readonly ReturnLine[]): boolean {
  const sum = (pairs: [number, number][]) => {
    const totals = new Map<number, number>();
    for (const [product, qty] of pairs) totals.set(product, (totals.get(product) ?? 0) + qty);
    return totals;
  };
  const a = sum(moves);
  const b = sum(lines.map((l) => [l.product_id, l.quantity]));
  return a.size === b.size && [...a].every(([product, qty]) => b.get(product) === qty);
}

/** The wizard's lines set to the quantities asked: each product's quantity spread over its lines in order, the rest at 0. */
export function lineCommands(
  wizardLines: readonly { id: number; product_id: [number, string]; quantity: number }[],
  lines: readonly ReturnLine[],
): [1, number, { quantity: number }][] {
  const wanted = new Map<number, number>();
  for (const line of lines)
    wanted.set(line.product_id, (wanted.get(line.product_id) ?? 0) + line.quantity);
  const commands = wizardLines.map((line): [1, number, { quantity: number }] => {
    const left = wanted.get(line.product_id[0]) ?? 0;
    const quantity = Math.min(left, line.quantity);
    wanted.set(line.product_id[0], left - quantity);
    return [1, line.id, { quantity }];
  });
  const short = [...wanted].filter(([, left]) => left > 1e-9);
  if (short.length > 0)
    throw new CrossdockError(
      'ODOO_RETURN_LINES_INVALID',
      `the delivery has less to return than asked: ${short.map(([product, left]) => `product ${product} short by ${left}`).join(', ')}`,
      { category: 'user', retryable: false },
    );
  return commands;
}

/** None of these calls is marked idempotent: a wizard left behind is a transient record Odoo cleans up; create_returns is what the search above guards. */
async function createReturn(
  ctx: StepContext,
  client: OdooClient,
  deliveryId: number,
  lines: readonly ReturnLine[],
): Promise<number> {
  const context = {
    active_id: deliveryId,
    active_ids: [deliveryId],
    active_model: 'stock.picking',
  };
  const defaults = await client.call<{ picking_id?: number }>(
    'stock.return.picking',
    'default_get',
    [['picking_id', 'product_return_moves', 'location_id', 'original_location_id']],
    {},
    context,
    callOptions(ctx, true),
  );
  const wizard = await client.call<number>(
    'stock.return.picking',
    'create',
    [{ picking_id: defaults.picking_id ?? deliveryId }],
    {},
    context,
    callOptions(ctx, false),
  );
  const wizardLines = await client.call<
    { id: number; product_id: [number, string]; quantity: number }[]
  >(
    'stock.return.picking.line',
    'search_read',
    [[['wizard_id', '=', wizard]]],
    { fields: ['product_id', 'quantity'], order: 'id' },
    undefined,
    callOptions(ctx, true),
  );
  await client.call(
    'stock.return.picking',
    'write',
    [[wizard], { product_return_moves: lineCommands(wizardLines, lines) }],
    {},
    context,
    callOptions(ctx, false),
  );
  const action = await client.call<{ res_id?: unknown }>(
    'stock.return.picking',
    'create_returns',
    [[wizard]],
    {},
    context,
    callOptions(ctx, false),
  );
  if (typeof action?.res_id !== 'number')
    throw unexpectedResult(
      `stock.picking ${deliveryId}: create_returns did not name a return picking`,
      action,
    );
  return action.res_id;
}

async function markReturn(
  ctx: StepContext,
  client: OdooClient,
  id: number,
  origin: string,
): Promise<void> {
  // Writing the same origin again is harmless: the client may repeat it.
  await client.call(
    'stock.picking',
    'write',
    [[id], { origin }],
    {},
    undefined,
    callOptions(ctx, true),
  );
}
