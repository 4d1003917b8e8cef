/**
 * Exception triage behind a confidence gate. The case is redacted, the provider asked for a
 * category, an owner team and an action with a confidence, and the answer is recorded in the
 * recommendation log before anything is done with it. At or above the workflow's threshold
 * the case goes to the recommended team (a reversible change, audited as the `ai-gate`);
 * below it the case keeps its owner and gets a note asking a person to review. Without a
 * usable answer (provider down, 429 beyond the retries, timeout, an invalid answer, no
 * provider configured) the case is left exactly as it was: the fallback is its default owner,
 * and the run goes on.
 */
import type { Kysely } from 'kysely';
import { sha256 } from '../connectors/ai/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { ExceptionsService, Severity } from '../exceptions/index.ts';
import type { Database } from '../store/index.ts';
import { costOf, type AiPrices } from './cost.ts';
import { latestExamples, recordRecommendation, type RecommendationRow } from './log.ts';
import { isAbstention, type TriageProvider } from './provider.ts';
import { redactCase } from './redact.ts';
import { NO_EXTRAS, TRIAGE_USE, type TriageAnswer, type TriageWants } from './triage-prompt.ts';

/** The actor of what the gate does on its own, in the case history and the audit log. */
export const GATE_ACTOR = 'ai-gate';

export interface TriageRequest {
  caseId: string;
  threshold: number;
  categories: string[];
  teams: string[];
  /** How many labelled examples (people's decisions) the prompt carries, newest first. */
  examples: number;
  /** Severity and a drafted summary asked for too (the `ai.classify` step's `severity`, `summary`). */
  wants?: TriageWants;
  /** Where a case with no owner goes when no usable answer comes (the fallback). */
  defaultTeam?: string | null;
  openKey: string;
  runId: string | null;
  workflowId: string | null;
}

export interface TriageResult {
  recommendationId: string;
  outcome: 'applied' | 'review' | 'fallback';
  category: string | null;
  team: string | null;
  action: string | null;
  confidence: number | null;
  /** The severity the provider assessed (null: the case keeps its own, or not asked). */
  severity: Severity | null;
  /** The drafted summary, when asked and answered. */
  summary: string | null;
  errorCode: string | null;
}

export interface AiTriageOptions {
  db: Kysely<Database>;
  exceptions: ExceptionsService;
  /**
   * The configured OpenAI-compatible provider, else the built-in offline model. Null only
   * where neither can be had (no store): every triage falls back (AI_NOT_CONFIGURED).
   */
  provider: TriageProvider | null;
  now: () => Date;
  /** Dollars per 1M tokens by model (CROSSDOCK_AI_PRICES); absent: none configured. */
  prices?: AiPrices;
}

export class AiTriage {
  readonly #o: AiTriageOptions;

  constructor(options: AiTriageOptions) {
    this.#o = options;
  }

  /**
   * Triage one case once per step position: a repeat finds its recommendation by key and
   * finishes what the first attempt may not have (the assignment, the note), both of which
   * are harmless to repeat. The provider is asked once.
   */
  async triage(request: TriageRequest): Promise<TriageResult> {
    const { db, exceptions } = this.#o;
    const found = await db
      .selectFrom('ai_recommendations')
      .selectAll()
      .where('open_key', '=', request.openKey)
      .executeTakeFirst();
    const row = found ?? (await this.#ask(request)).row;
    const result = resultOf(row);
    if (row.outcome === 'applied')
      await applyToCase(exceptions, request.caseId, result, GATE_ACTOR, gateNote(result, row));
    else if (row.outcome === 'review')
      await ensureNote(exceptions, request.caseId, reviewNote(result, row), GATE_ACTOR);
    else if ((row.final as { routed?: boolean } | null)?.routed === true)
      await applyToCase(
        exceptions,
        request.caseId,
        { team: (row.final as { team: string }).team },
        GATE_ACTOR,
        fallbackNote(row),
      );
    return result;
  }

  async #ask(request: TriageRequest): Promise<{ row: RecommendationRow }> {
    const { db, exceptions, provider, now } = this.#o;
    const detail = await exceptions.show(request.caseId);
    const redacted = redactCase({
      title: detail.title,
      code: detail.errorCode,
      severity: detail.severity,
      details: withoutActions(detail.details),
    });
    const examples = await latestExamples(db, TRIAGE_USE, request.examples);
    const base = {
      openKey: request.openKey,
      use: TRIAGE_USE,
      caseId: request.caseId,
      runId: request.runId,
      workflowId: request.workflowId,
      inputHash: sha256(redacted.text),
      model: provider?.model ?? '(none)',
      threshold: request.threshold,
    };
    const ask = {
      text: redacted.text,
      categories: request.categories,
      teams: request.teams,
      examples,
      wants: request.wants ?? NO_EXTRAS,
      threshold: request.threshold,
    };
    const prompt = {
      messages: provider ? provider.messages(ask) : [{ role: 'user', content: redacted.text }],
      categories: request.categories,
      teams: request.teams,
      redacted: redacted.counts,
    };
    const started = Date.now();
    try {
      if (!provider)
        throw new CrossdockError(
          'AI_NOT_CONFIGURED',
          'No AI provider is configured (CROSSDOCK_AI_URL, CROSSDOCK_AI_MODEL)',
        );
      const reply = await provider.triage(ask);
      const v = reply.answer;
      // An abstention goes to a person whatever the threshold (even 0): nothing is guessed.
      const applied = !isAbstention(v) && v.confidence >= request.threshold;
      return await recordRecommendation(db, {
        ...base,
        prompt,
        answeredModel: reply.answeredModel,
        responseId: reply.responseId,
        answer: v,
        confidence: v.confidence,
        outcome: applied ? 'applied' : 'review',
        errorCode: null,
        errorMessage: null,
        latencyMs: reply.latencyMs,
        attempts: reply.attempts,
        promptTokens: reply.promptTokens,
        completionTokens: reply.completionTokens,
        costUsd: costOf(this.#o.prices ?? {}, {
          model: base.model,
          answeredModel: reply.answeredModel,
          promptTokens: reply.promptTokens,
          completionTokens: reply.completionTokens,
        }),
        reviewStatus: applied ? null : 'pending',
        final: applied ? finalOfApplied(v, request.wants ?? NO_EXTRAS) : null,
        decidedBy: applied ? GATE_ACTOR : null,
        at: now(),
      });
    } catch (error) {
      if (!(error instanceof CrossdockError) || !error.code.startsWith('AI_')) throw error;
      // The fallback: the case's own owner; a case with none goes to the step's default team.
      const routed = detail.owner.team === null && (request.defaultTeam ?? null) !== null;
      return recordRecommendation(db, {
        ...base,
        prompt,
        answeredModel: null,
        responseId: null,
        answer: null,
        confidence: null,
        outcome: 'fallback',
        errorCode: error.code,
        errorMessage: error.message.slice(0, 1000),
        latencyMs: Date.now() - started,
        attempts: 0,
        promptTokens: null,
        completionTokens: null,
        costUsd: 0, // no answer, no tokens counted
        reviewStatus: null,
        final: routed
          ? { team: request.defaultTeam, fallback: 'default team', routed: true }
          : { team: detail.owner.team, fallback: 'default owner' },
        decidedBy: null,
        at: now(),
      });
    }
  }
}

function resultOf(row: RecommendationRow): TriageResult {
  const answer = row.answer as TriageAnswer | null;
  return {
    recommendationId: row.id,
    outcome: row.outcome,
    category: answer?.category ?? null,
    team: answer?.team ?? null,
    action: answer?.action ?? null,
    confidence: row.confidence === null ? null : Number(row.confidence),
    severity: answer?.severity ?? null,
    summary: answer?.summary ?? null,
    errorCode: row.error_code,
  };
}

/** What the gate does with an answer at or above the threshold, as the log's `final` says it. */
function finalOfApplied(v: TriageAnswer, wants: TriageWants): Record<string, unknown> {
  return {
    category: v.category,
    team: v.team,
    ...(wants.severity && v.severity ? { severity: v.severity } : {}),
  };
}

/** Business actions a workflow declared on the case are not the case's facts: not sent. */
function withoutActions(details: Record<string, unknown> | null): Record<string, unknown> | null {
  if (details === null) return null;
  // A triage's own record on the case (TRIAGE_DETAIL) is not a fact of the case either.
  const { actions: _actions, [TRIAGE_DETAIL]: _triage, ...rest } = details;
  return rest;
}

/** Where the gate records on the case what it decided: category, severity, summary, recommendation. */
export const TRIAGE_DETAIL = 'ai_triage';

function gateNote(r: TriageResult, row: RecommendationRow): string {
  return (
    `AI triage (recommendation ${r.recommendationId}, ${row.answered_model ?? row.model}): ` +
    `category ${r.category}, team ${r.team}` +
    (r.severity ? `, severity ${r.severity}` : '') +
    `, confidence ${r.confidence} >= ${Number(row.threshold)}; ` +
    `assigned to ${r.team}. Suggested action: ${r.action}` +
    (r.summary ? `\nSummary (drafted): ${r.summary}` : '')
  );
}

function fallbackNote(row: RecommendationRow): string {
  const team = (row.final as { team: string }).team;
  return (
    `AI triage (recommendation ${row.id}) had no answer (${row.error_code}): ` +
    `the case had no owner, so it goes to the default team ${team}.`
  );
}

function reviewNote(r: TriageResult, row: RecommendationRow): string {
  if (isAbstention(row.answer))
    return (
      `AI triage (recommendation ${r.recommendationId}, ${row.answered_model ?? row.model}) ` +
      `abstains: ${row.answer.reason}. Choose the category and team (override); the case keeps its owner until then.`
    );
  return (
    `AI triage (recommendation ${r.recommendationId}, ${row.answered_model ?? row.model}) ` +
    `awaits review: category ${r.category}, team ${r.team}, confidence ${r.confidence} < ${Number(row.threshold)}. ` +
    `Suggested action: ${r.action}. Accept or override it; the case keeps its owner until then.` +
    (r.summary ? `\nSummary (drafted): ${r.summary}` : '')
  );
}

/**
 * Assigns the case to the team unless it is closed or already theirs, and notes why. With a
 * category (a triage's answer or a person's decision) the case's details record it under
 * TRIAGE_DETAIL with the recommendation, and the severity given replaces the case's; both
 * only while the case is open (an update reopens a case in `retrying`), and each is
 * harmless to repeat: the same values change nothing.
 */
export async function applyToCase(
  exceptions: ExceptionsService,
  caseId: string,
  r: {
    team: string | null;
    category?: string | null;
    severity?: Severity | null;
    summary?: string | null;
    recommendationId?: string;
  },
  actor: string,
  note: string,
): Promise<void> {
  const detail = await exceptions.show(caseId);
  if (detail.status === 'resolved' || detail.status === 'replayed') return;
  if (r.team !== null && detail.owner.team !== r.team)
    await exceptions.assign(caseId, { team: r.team }, { actor });
  if (r.category && r.recommendationId && detail.status === 'open') {
    const recorded = {
      category: r.category,
      ...(r.severity ? { severity: r.severity } : {}),
      ...(r.summary ? { summary: r.summary } : {}),
      recommendation: r.recommendationId,
      by: actor,
    };
    const before = detail.details?.[TRIAGE_DETAIL] as Record<string, unknown> | undefined;
    const severityChanges = r.severity && r.severity !== detail.severity;
    if (severityChanges || !sameRecord(before, recorded))
      await exceptions.update(
        caseId,
        {
          ...(r.severity ? { severity: r.severity } : {}),
          details: { ...(detail.details ?? {}), [TRIAGE_DETAIL]: recorded },
        },
        { actor },
      );
  }
  await ensureNote(exceptions, caseId, note, actor);
}

/** Whether the case already holds this record (a jsonb column keeps its own key order). */
function sameRecord(a: Record<string, unknown> | undefined, b: Record<string, unknown>): boolean {
  if (a === undefined) return false;
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((k) => a[k] === b[k]);
}

/** A case note written once: a repeat finds the same text in the case's history. */
export async function ensureNote(
  exceptions: ExceptionsService,
  caseId: string,
  text: string,
  actor: string,
): Promise<void> {
  const detail = await exceptions.show(caseId);
  if (detail.status === 'resolved' || detail.status === 'replayed') return;
  if (detail.history.some((h) => h.action === 'commented' && h.details.text === text)) return;
  await exceptions.comment(caseId, text, { actor });
}
