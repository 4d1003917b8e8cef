import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import type { Database } from '../../store/index.ts';
import type { StepType } from '../../workflows/index.ts';
import { DelayRiskModel, keepHistory } from './model.ts';
import { readDeliveries, type OdooReads } from './odoo-deliveries.ts';
import { newlyFlagged, scoreDeliveries } from './scoring.ts';

export const AiDelayRiskConfig = z.strictObject({
  /** The Odoo connection whose deliveries are scored. */
  connection: z.string().min(1).default('odoo'),
  /** A delivery whose risk is at or above it is flagged for the operations lead. */
  threshold: z.number().min(0).max(1),
  /** How far back validated deliveries are read into the history. */
  history_days: z.int().min(1).max(730).default(90),
  /** How many of the flagged deliveries the output lists (riskiest first). */
  list: z.int().min(1).max(200).default(20),
});
export type AiDelayRiskConfig = z.infer<typeof AiDelayRiskConfig>;

const DAY_MS = 86_400_000;

const NOTHING_SCORED = {
  model: null,
  scored: 0,
  abstained: 0,
  historyAdded: 0,
  flaggedCount: 0,
  flagged: [],
  newlyFlaggedCount: 0,
  newlyFlagged: [],
  skipped: 'no Odoo is configured',
};

/**
 * The `ai.delay_risk` step (docs/AI.md, "Delay risk"): reads the connection's outgoing
 * deliveries, keeps the validated ones as history (once each), scores the open ones with the
 * current delay-risk model and logs each score in the recommendation log. It reads Odoo and
 * writes nothing there. Idempotent per step position: the scores are keyed by
 * ctx.idempotencyKey and the delivery, so a repeat logs nothing twice (a repeat reading
 * Odoo again may score a delivery opened since). Output: { model, scored, abstained,
 * flaggedCount, flagged, newlyFlaggedCount, newlyFlagged, historyAdded }, the flagged lists
 * riskiest first; `newlyFlagged` holds those no earlier pass flagged; `skipped` says why
 * nothing was scored in a Crossdock without Odoo.
 */
export function aiDelayRiskStep(
  db: Kysely<Database> | null,
  odoo: ((connection: string) => OdooReads) | null,
): StepType<AiDelayRiskConfig> {
  return {
    type: 'ai.delay_risk',
    description:
      "Scores open Odoo deliveries for the risk of missing their promised date, from the site's delivery history",
    config: AiDelayRiskConfig as z.ZodType<AiDelayRiskConfig>,
    sideEffect: true,
    ownIdempotency: 'each score is recorded once per step position and delivery',
    async execute(ctx, config) {
      if (!db)
        throw new CrossdockError(
          'AI_TRIAGE_UNAVAILABLE',
          'ai.delay_risk steps run only in a Crossdock with a store',
        );
      if (!odoo) {
        // The operations pack is installed everywhere, Odoo or not: without one there is
        // nothing to score, which the output says (an unknown connection name is an error).
        ctx.log(
          'warn',
          'ai.delay_risk: no Odoo is configured (CROSSDOCK_ODOO_CONFIG); nothing scored',
        );
        return { kind: 'done', output: { ...NOTHING_SCORED, threshold: config.threshold } };
      }
      const now = ctx.now();
      const since = new Date(now.getTime() - config.history_days * DAY_MS);
      const { history, open } = await readDeliveries(odoo(config.connection), since);
      const historyAdded = await keepHistory(db, config.connection, history, now);
      const scored = await scoreDeliveries(db, new DelayRiskModel(db), open, {
        runId: ctx.runId,
        workflowId: ctx.workflowId,
        key: ctx.idempotencyKey,
        threshold: config.threshold,
        now,
      });
      const flagged = scored.filter((s) => s.flagged);
      const fresh = await newlyFlagged(db, scored, ctx.runId);
      const output = {
        skipped: null,
        model: scored[0]?.model ?? null,
        threshold: config.threshold,
        scored: scored.length,
        abstained: scored.filter((s) => s.risk === null).length,
        historyAdded,
        flaggedCount: flagged.length,
        flagged: flagged.slice(0, config.list),
        newlyFlaggedCount: fresh.length,
        newlyFlagged: fresh.slice(0, config.list),
      };
      ctx.log('info', `ai.delay_risk: ${scored.length} open delivery(ies) scored`, {
        flagged: flagged.length,
        newlyFlagged: fresh.length,
        abstained: output.abstained,
        historyAdded,
      });
      return { kind: 'done', output };
    },
    describe: (c) =>
      `would score the open deliveries of Odoo connection ${c.connection} for delay risk (flagged at >= ${c.threshold})`,
  };
}
