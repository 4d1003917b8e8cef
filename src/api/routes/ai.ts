import { z } from 'zod';
import { ReviewDecision } from '../../ai/index.ts';
import { actorName, Permission } from '../../auth/index.ts';
import { queryInt, route } from '../route.ts';

const Name = z.string().trim().min(1).max(200);
const ListQuery = z.strictObject({
  use: Name.optional(),
  case: z
    .string()
    .regex(/^\d{1,18}$/, 'a case id')
    .optional(),
  reviewStatus: z.enum(['pending', 'accepted', 'overridden']).optional(),
  limit: queryInt(1, 500).optional(),
});
const SummaryQuery = z.strictObject({ days: queryInt(1, 3650).optional() });
const DAY_MS = 86_400_000;
const ExamplesQuery = z.strictObject({ use: Name, limit: queryInt(1, 1000).optional() });

/**
 * The recommendation log and people's reviews (docs/AI.md). Reading needs what reading the
 * exception queue needs (a recommendation is about a case); deciding, what working it needs.
 */
export const aiRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/ai/recommendations',
    tag: 'ai',
    access: Permission.exceptionsRead,
    query: ListQuery,
    summary:
      'AI recommendations, newest first: the redacted prompt, the answer, confidence and threshold, the outcome (applied, review, fallback) and what was finally done',
    handler: async ({ services, query }) => ({
      recommendations: await services.ai.list(
        {
          ...(query.use ? { use: query.use } : {}),
          ...(query.case ? { caseId: query.case } : {}),
          ...(query.reviewStatus ? { reviewStatus: query.reviewStatus } : {}),
        },
        query.limit ?? 50,
      ),
    }),
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
    path: '/api/v1/ai/summary',
    tag: 'ai',
    access: Permission.exceptionsRead,
    query: SummaryQuery,
    summary:
      'Recommendations of the last `days` (default 30) by use and answered category: applied, review, fallback, pending, accepted, overridden, and the override rate',
    handler: async ({ services, query }) => {
      const since = new Date(services.engine.clock.now().getTime() - (query.days ?? 30) * DAY_MS);
      return { since: since.toISOString(), classes: await services.ai.summary(since) };
    },
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
