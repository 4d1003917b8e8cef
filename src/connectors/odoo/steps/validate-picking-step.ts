/**
 * odoo.validate_picking: stock.picking.button_validate, answering the questions Odoo 17
 * asks instead of validating (README of the recorded fixtures, "button_validate can
 * return four things"):
 * - `true`: done (flow-d-03);
 * - the stock.backorder.confirmation wizard action: create the wizard with the returned
 *   context, then `process` (keep a backorder) or `process_cancel_backorder` (flow-b-06..08);
 * - the confirm.stock.sms wizard action: `dont_send_sms` or `send_sms` on its res_id with
 *   the returned context (flow-a-08/08b);
 * - UserError "no quantities are reserved": ODOO_USER_ERROR from the client, not retryable.
 * With `on_unreserved: report` (for goods known to have left: a carrier's proof), a picking
 * not Ready is first reserved (action_assign, Odoo's "Check availability"), as the warehouse
 * would before validating: its reservation may have been taken back since it was Ready (a
 * stock count applied, a scrap). One that still holds nothing reserved is not sent to
 * button_validate: the step answers `validated: false` and the workflow decides (a case for
 * the warehouse), instead of failing on Odoo's refusal. The default (`fail`) leaves the
 * picking's reservation as it is and fails on that refusal.
 * Answering one wizard re-runs button_validate, which may ask the next question, so the
 * answers loop, at most MAX_ROUNDS times.
 */
import { z } from 'zod';
import { CrossdockError } from '../../../errors/index.ts';
import { dynamic, type StepContext, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import {
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

const ValidateConfig = z.strictObject({
  connection,
  picking_id: dynamic(recordIdSchema),
  /** Quantities below the demand: keep the rest in a backorder, or cancel it. */
  backorder: dynamic(z.enum(['create', 'none'])),
  /** Odoo's one-time question whether to text the customer: answer no (default) or yes. */
  sms: z.enum(['skip', 'send']).default('skip'),
  /** A picking with nothing reserved: fail on Odoo's refusal (default), or reserve it and report what still cannot be. */
  on_unreserved: z.enum(['fail', 'report']).default('fail'),
});
type ValidateConfig = z.output<typeof ValidateConfig>;

const MAX_ROUNDS = 4;

interface WindowAction {
  type: 'ir.actions.act_window';
  res_model: string;
  res_id?: number;
  context?: Record<string, unknown>;
}

function isWindowAction(value: unknown): value is WindowAction {
  const action = value as Partial<WindowAction> | null;
  return (
    typeof action === 'object' &&
    action !== null &&
    action.type === 'ir.actions.act_window' &&
    typeof action.res_model === 'string'
  );
}

export function validatePickingStep(pool: OdooClientPool): StepType<ValidateConfig> {
  return {
    type: 'odoo.validate_picking',
    description:
      'Validates a stock.picking, answering the backorder and SMS wizards; output { picking_id, state, validated, already, backorder_ids }',
    config: ValidateConfig as z.ZodType<ValidateConfig>,
    sideEffect: true,
    ownIdempotency: 'leaves a done picking as it is',
    // A second validation racing the first would find it not done and meet Odoo's UserError.
    serializeOn: (c) => recordKey(c.connection, 'stock.picking', c.picking_id),
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const pickingId = resolved(config.picking_id, 'picking_id');
      // Idempotency: a picking that is done is never validated again (Odoo would answer
      // the "nothing reserved" UserError). A repeat after a crash in the middle of the
      // wizards starts over from button_validate, which asks the open question again.
      const before = await readPicking(ctx, client, pickingId);
      const answer = (
        picking: { state: string; backorder_ids: number[] },
        outcome: { validated: boolean; already: boolean; reason?: string },
      ) => ({
        kind: 'done' as const,
        output: {
          picking_id: pickingId,
          state: picking.state,
          ...outcome,
          backorder_ids: picking.backorder_ids,
        },
      });
      if (before.state === 'done') return answer(before, { validated: true, already: true });
      if (config.on_unreserved === 'report' && before.state !== 'assigned') {
        await client.call(
          'stock.picking',
          'action_assign',
          [[pickingId]],
          {},
          undefined,
          callOptions(ctx, true),
        );
        if ((await reservedQuantity(ctx, client, pickingId)) === 0)
          return answer(await readPicking(ctx, client, pickingId), {
            validated: false,
            already: false,
            reason: 'nothing is reserved on it in Odoo, even after checking availability',
          });
      }
      await validate(ctx, client, pickingId, backorderChoice(config.backorder), config.sms);
      return answer(await readPicking(ctx, client, pickingId), { validated: true, already: false });
    },
    describe: (c) =>
      `would validate stock.picking ${String(c.picking_id)} (backorder: ${c.backorder}, sms: ${c.sms})${onConnection(c.connection)}`,
  };
}

/** The resolved `backorder` choice; an expression that produced another text is refused. */
function backorderChoice(value: string): 'create' | 'none' {
  if (value === 'create' || value === 'none') return value;
  throw new CrossdockError(
    'STEP_CONFIG_INVALID',
    `with.backorder: expected "create" or "none", got ${JSON.stringify(value)}`,
    { category: 'user', retryable: false },
  );
}

async function readPicking(
  ctx: StepContext,
  client: OdooClient,
  id: number,
): Promise<{ state: string; backorder_ids: number[] }> {
  const [row] = await client.call<{ state: string; backorder_ids: number[] }[]>(
    'stock.picking',
    'read',
    [[id]],
    { fields: ['state', 'backorder_ids'] },
    undefined,
    callOptions(ctx, true),
  );
  if (row === undefined) throw missingRecord('stock.picking', [id]);
  return { state: row.state, backorder_ids: row.backorder_ids };
}

/** What the picking's open moves hold reserved (Odoo 17+ `stock.move.quantity`). */
async function reservedQuantity(
  ctx: StepContext,
  client: OdooClient,
  pickingId: number,
): Promise<number> {
  const moves = await client.call<{ quantity: number }[]>(
    'stock.move',
    'search_read',
    [
      [
        ['picking_id', '=', pickingId],
        ['state', 'not in', ['done', 'cancel']],
      ],
    ],
    { fields: ['quantity'] },
    undefined,
    callOptions(ctx, true),
  );
  return moves.reduce((sum, move) => sum + Number(move.quantity ?? 0), 0);
}

/** None of these calls is marked idempotent: after an ambiguous failure the engine retries the step, which re-reads the state first. */
async function validate(
  ctx: StepContext,
  client: OdooClient,
  pickingId: number,
  backorder: 'create' | 'none',
  sms: 'skip' | 'send',
): Promise<void> {
  let answer: unknown = await client.call(
    'stock.picking',
    'button_validate',
    [[pickingId]],
    {},
    undefined,
    callOptions(ctx, false),
  );
  for (let round = 1; answer !== true; round += 1) {
    if (round > MAX_ROUNDS)
      throw unexpectedResult(
        `stock.picking ${pickingId}: button_validate still asks after ${MAX_ROUNDS} answers`,
        answer,
      );
    if (!isWindowAction(answer))
      throw unexpectedResult(
        `stock.picking ${pickingId}: button_validate returned neither true nor a wizard`,
        answer,
      );
    const context = answer.context ?? {};
    if (answer.res_model === 'stock.backorder.confirmation') {
      const wizard = await client.call<number>(
        'stock.backorder.confirmation',
        'create',
        [{}],
        {},
        context,
        callOptions(ctx, false),
      );
      const method = backorder === 'create' ? 'process' : 'process_cancel_backorder';
      answer = await client.call(
        'stock.backorder.confirmation',
        method,
        [[wizard]],
        {},
        context,
        callOptions(ctx, false),
      );
    } else if (answer.res_model === 'confirm.stock.sms' && typeof answer.res_id === 'number') {
      const method = sms === 'send' ? 'send_sms' : 'dont_send_sms';
      answer = await client.call(
        'confirm.stock.sms',
        method,
        [[answer.res_id]],
        {},
        context,
        callOptions(ctx, false),
      );
    } else {
      throw unexpectedResult(
        `stock.picking ${pickingId}: button_validate opened a wizard this step does not answer`,
        { res_model: answer.res_model },
      );
    }
  }
}
