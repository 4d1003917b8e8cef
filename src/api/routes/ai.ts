import { z } from 'zod';
import { ReviewDecision } from '../../ai/index.ts';
import { actorName, Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { decodeCursor, page } from '../pagination.ts';
import { EVALUATED_USES, TRAINABLE_USES } from '../services.ts';
import { queryInt, queryTime, route } from '../route.ts';

const Name = z.string().trim().min(1).max(200);
const ListQuery = z.strictObject({
  use: Name.optional(),
  case: z
    .string()
    .regex(/^\d{1,18}$/, 'a case id')
    .optional(),
  outcome: z.enum(['applied', 'review', 'fallback']).optional(),
  reviewStatus: z.enum(['pending', 'accepted', 'overridden']).optional(),
  limit: queryInt(1, 500).optional(),
  cursor: z.string().max(200).optional(),
});
/** `days` before now, or the range `from` .. `to` (to: now), as the Overview's range gives it. */
const SummaryQuery = z.strictObject({
  days: queryInt(1, 3650).optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
});
const DAY_MS = 86_400_000;
const DelayRiskQuery = z.strictObject({ limit: queryInt(1, 500).optional() });
const ExamplesQuery = z.strictObject({ use: Name, limit: queryInt(1, 1000).optional() });

/**
 * The recommendation log and people's reviews (docs/AI.md). Reading needs what reading the
 * exception queue needs (a recommendation is about a case); deciding, what working it needs.
 */
const TrainBody = z.strictObject({
  use: z.enum(TRAINABLE_USES).default('exception_triage'),
  /** A labelled set shipped in ai/eval/ (its file name), imported before training. */
  set: z.string().max(200).optional(),
});
const EvalBody = z.strictObject({
  use: z.enum(EVALUATED_USES),
  set: z.string().max(200),
  threshold: z.number().min(0).max(1).optional(),
});

export const aiRoutes = [
  route({
    method: 'POST',
    path: '/api/v1/ai/train',
    tag: 'ai',
    access: Permission.aiTrain,
    body: TrainBody,
    summary:
      "Retrain a use's built-in offline model (exception_triage, delay_risk) from the store's history, with a shipped labelled set imported first when `set` names one: a new version, as `crossdock ai train`; audited",
    handler: async ({ services, body, principal, request }) => {
      const actor = actorName(principal!);
      const summary = await services.aiModels.train(body.use, body.set, actor);
      await services.audit.append({
        actor,
        action: 'ai.train',
        target: `ai_model:${body.use}`,
        details: { use: body.use, set: body.set ?? null, summary },
        requestId: request.id,
      });
      return summary;
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/ai/eval',
    tag: 'ai',
    access: Permission.aiTrain,
    body: EvalBody,
    summary:
      'Evaluate a use (exception_triage, mail_extraction, delay_risk) on a shipped labelled set at a threshold, with the configured provider (else the built-in model): the report of `crossdock ai eval`; audited',
    handler: async ({ services, body, principal, request }) => {
      const report = await services.aiModels.evaluate(body.use, body.set, body.threshold);
      await services.audit.append({
        actor: actorName(principal!),
        action: 'ai.eval',
        target: `ai_model:${body.use}`,
        details: { use: body.use, set: body.set, threshold: body.threshold ?? null },
        requestId: request.id,
      });
      return report;
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/ai/recommendations',
    tag: 'ai',
    access: Permission.exceptionsRead,
    query: ListQuery,
    summary:
      'AI recommendations, newest first: the redacted prompt, the answer, confidence and threshold, the outcome (applied, review, fallback) and what was finally done; filter by use, case, outcome and review state; cursor pagination',
    handler: async ({ services, query }) => {
      const limit = query.limit ?? 50;
      const before = decodeCursor(query.cursor);
      const rows = await services.ai.list(
        {
          ...(query.use ? { use: query.use } : {}),
          ...(query.case ? { caseId: query.case } : {}),
          ...(query.outcome ? { outcome: query.outcome } : {}),
          ...(query.reviewStatus ? { reviewStatus: query.reviewStatus } : {}),
          ...(before ? { beforeId: before } : {}),
        },
        limit + 1,
      );
      const { items, nextCursor } = page(rows, limit);
      return { recommendations: items, nextCursor };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/ai/recommendations/:id',
    tag: 'ai',
    access: Permission.exceptionsRead,
    summary: 'One AI recommendation',
    handler: async ({ services, params }) => services.ai.show(params.id!),
  }),
  route({
    method: 'POST',
    path: '/api/v1/ai/recommendations/:id/decision',
    tag: 'ai',
    access: Permission.exceptionsOperate,
    body: ReviewDecision,
    summary:
      'Accept a recommendation left for review, or override one (category, team, reason); recorded as a labelled example, then the case follows (409 once decided)',
    handler: async ({ services, params, body, principal, request }) =>
      services.ai.decide(params.id!, body, { actor: actorName(principal!), requestId: request.id }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/ai/reviews/waiting',
    tag: 'ai',
    access: Permission.exceptionsRead,
    summary:
      'How many recommendations wait for a person (the review tasks, all uses): the count the navigation shows',
    handler: async ({ services }) => ({ waiting: await services.ai.waiting() }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/ai/summary',
    tag: 'ai',
    access: Permission.exceptionsRead,
    query: SummaryQuery,
    summary:
      'Recommendations of the last `days` (default 30), or made from `from` to `to` (default now), by use and answered category: applied, review, fallback, pending, accepted, overridden, and the override rate; and `cost`: calls, tokens and dollars in total, by use and by UTC day (`unpriced`: calls of a model without a configured price); and `budget`: the spend of the UTC day and month against the provider spending limit (null without one)',
    handler: async ({ services, query }) => {
      const now = services.engine.clock.now();
      if (query.days !== undefined && query.from !== undefined)
        throw new CrossdockError('REQUEST_INVALID', 'Give days or from, not both', {
          category: 'user',
          retryable: false,
          details: [{ path: 'query.from', message: 'not with days' }],
        });
      const until = query.to ?? now;
      const since = query.from ?? new Date(until.getTime() - (query.days ?? 30) * DAY_MS);
      if (since >= until)
        throw new CrossdockError('REQUEST_INVALID', 'The range ends before it starts', {
          category: 'user',
          retryable: false,
          details: [{ path: 'query.to', message: 'must be later than from' }],
        });
      return {
        since: since.toISOString(),
        until: until.toISOString(),
        classes: await services.ai.summary(since, until),
        cost: await services.ai.cost(since, until),
        budget: await services.ai.budget(),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/ai/delay-risk',
    tag: 'ai',
    access: Permission.exceptionsRead,
    query: DelayRiskQuery,
    summary:
      'Open deliveries of the newest delay-risk pass, riskiest first: order, transfer, promised date, risk (null when the model abstained), the features that pull most towards late, and whether it was flagged for the operations lead',
    handler: async ({ services, query }) => services.ai.delayRisk(query.limit ?? 50),
  }),
  route({
    method: 'GET',
    path: '/api/v1/ai/examples',
    tag: 'ai',
    access: Permission.exceptionsRead,
    query: ExamplesQuery,
    summary:
      "People's decisions as labelled examples (the redacted input and the label), newest first",
    handler: async ({ services, query }) => ({
      examples: (await services.ai.examples(query.use, query.limit ?? 100)).map((e) => ({
        id: e.id,
        recommendationId: e.recommendation_id,
        input: e.input,
        label: e.label,
        source: e.source,
        labelledBy: e.labelled_by,
        createdAt: e.created_at.toISOString(),
      })),
    }),
  }),
];
