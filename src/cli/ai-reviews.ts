import type { RecommendationView } from '../ai/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { cliActor, directOrRemote, type ApiCall } from './operations.ts';
import { table, usageError, type Output } from './output.ts';
import type { Crossdock } from '../main.ts';

export interface AiReviewFlags {
  api?: string;
  use?: string;
  limit?: string;
  reason?: string;
  category?: string;
}

import { AI_MODEL_USAGE } from './ai-models.ts';

const USAGE = `usage: crossdock ai reviews [--use U] [--limit N]   recommendations waiting for a person's review
       | ai show <id>                                   one recommendation: the answer, the gate, what was finally done
       | ai accept <id> [--reason R]                   act on the recommendation as it is
       | ai override <id> <team> [--category C] --reason R   another team (and category; the recommended one if not given), saying why
${AI_MODEL_USAGE}`;

type Answer = { category?: string; team?: string; reason?: string; action?: string };

/**
 * `crossdock ai ...`: the review tasks of AI recommendations from a terminal, through the same
 * reviews service as the API (POST /api/v1/ai/recommendations/:id/decision): a running
 * instance's API when one answers, else the store directly, as the CLI's user.
 */
export async function aiReviewCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: AiReviewFlags,
  out: Output,
): Promise<number> {
  const [sub, id, value, ...extra] = rest;
  const via = (url: string) => out.info(`using the API at ${url}`);
  const who = { actor: cliActor() };
  if (sub === 'reviews' && id === undefined) {
    const limit = flags.limit ?? '50';
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 500)
      throw usageError('--limit must be a whole number from 1 to 500');
    const filter = {
      reviewStatus: 'pending' as const,
      ...(flags.use ? { use: flags.use } : {}),
    };
    return directOrRemote(
      config,
      flags.api,
      async (c) => printReviews(await c.services.ai.list(filter, Number(limit)), out),
      async (call) =>
        printReviews(
          (
            await call<{ recommendations: RecommendationView[] }>(
              'GET',
              `/api/v1/ai/recommendations?${new URLSearchParams({ ...filter, limit })}`,
            )
          ).recommendations,
          out,
        ),
      via,
    );
  }
  if (sub === 'show' && id && value === undefined) {
    return directOrRemote(
      config,
      flags.api,
      async (c) => printOne(await c.services.ai.show(id), out),
      async (call) =>
        printOne(await call('GET', `/api/v1/ai/recommendations/${encodeURIComponent(id)}`), out),
      via,
    );
  }
  if (sub === 'accept' && id && value === undefined) {
    const decision = { decision: 'accept', ...(flags.reason ? { reason: flags.reason } : {}) };
    return directOrRemote(
      config,
      flags.api,
      async (c) => printDecided(await c.services.ai.decide(id, decision, who), out),
      async (call) => printDecided(await decideRemote(call, id, decision), out),
      via,
    );
  }
  if (sub === 'override' && id && value && extra.length === 0) {
    if (!flags.reason?.trim())
      throw usageError(`override needs --reason: say why the recommendation was wrong\n${USAGE}`);
    const reason = flags.reason;
    const decision = (r: RecommendationView) => ({
      decision: 'override',
      team: value,
      category: flags.category ?? (r.answer as Answer | null)?.category ?? '',
      reason,
    });
    return directOrRemote(
      config,
      flags.api,
      async (c: Crossdock) =>
        printDecided(
          await c.services.ai.decide(id, decision(await c.services.ai.show(id)), who),
          out,
        ),
      async (call) =>
        printDecided(
          await decideRemote(
            call,
            id,
            decision(
              await call<RecommendationView>(
                'GET',
                `/api/v1/ai/recommendations/${encodeURIComponent(id)}`,
              ),
            ),
          ),
          out,
        ),
      via,
    );
  }
  throw usageError(USAGE);
}

function decideRemote(call: ApiCall, id: string, decision: unknown): Promise<RecommendationView> {
  return call('POST', `/api/v1/ai/recommendations/${encodeURIComponent(id)}/decision`, decision);
}

const routed = (v: unknown) => {
  const a = v as Answer | null;
  return a ? `${a.category ?? '-'} -> ${a.team ?? '-'}` : '-';
};
const share = (n: number | null) => (n === null ? '-' : `${Math.round(n * 1000) / 10} %`);
/** Dollars; a model without a configured price is said so, never shown as free. */
const usd = (n: number | null) => (n === null ? 'no price configured' : `$${n}`);
const tokens = (r: RecommendationView) =>
  r.tokens.prompt === null && r.tokens.completion === null
    ? 'no tokens'
    : `${r.tokens.prompt ?? 0} + ${r.tokens.completion ?? 0} tokens`;

function printReviews(recommendations: RecommendationView[], out: Output): number {
  const rows = recommendations.map((r) => ({
    id: r.id,
    use: r.use,
    case: r.caseId ?? '-',
    answer: routed(r.answer),
    confidence: `${share(r.confidence)} < ${share(r.threshold)}`,
    created: r.createdAt,
    cost: usd(r.costUsd),
    why: (r.answer as Answer | null)?.reason ?? '-',
  }));
  out.result({ recommendations }, () =>
    rows.length === 0
      ? 'no recommendation waits for a review'
      : table(rows, ['id', 'use', 'case', 'answer', 'confidence', 'created', 'cost', 'why']),
  );
  return 0;
}

function printDecided(r: RecommendationView, out: Output): number {
  out.result(
    r,
    () =>
      `recommendation ${r.id} ${r.reviewStatus} by ${r.decidedBy}: ${routed(r.final)}${r.caseId ? ` (case ${r.caseId} assigned to ${(r.final as Answer | null)?.team ?? '-'})` : ''}${r.decisionReason ? `; reason: ${r.decisionReason}` : ''}`,
  );
  return 0;
}

function printOne(r: RecommendationView, out: Output): number {
  const a = r.answer as Answer | null;
  out.result(r, () =>
    [
      `recommendation ${r.id} (${r.use}, case ${r.caseId ?? '-'}, run ${r.runId ?? '-'}): ${r.outcome}${r.errorCode ? ` ${r.errorCode}: ${r.errorMessage}` : ''}`,
      `  answer ${routed(a)}, confidence ${share(r.confidence)} (threshold ${share(r.threshold)}), model ${r.answeredModel ?? r.model}, ${r.latencyMs} ms`,
      `  ${tokens(r)}, ${r.attempts} attempt(s), cost ${usd(r.costUsd)}`,
      ...(a?.reason ? [`  why: ${a.reason}`] : []),
      ...(a?.action ? [`  suggested action: ${a.action}`] : []),
      r.reviewStatus === 'pending'
        ? '  waiting for a review: crossdock ai accept | override'
        : `  finally ${routed(r.final)}${r.reviewStatus ? ` (${r.reviewStatus})` : ''} by ${r.decidedBy ?? '-'}${r.decisionReason ? `: ${r.decisionReason}` : ''}`,
    ].join('\n'),
  );
  return 0;
}
