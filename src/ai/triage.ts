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
import type { ExceptionsService } from '../exceptions/index.ts';
import type { Database } from '../store/index.ts';
import { latestExamples, recordRecommendation, type RecommendationRow } from './log.ts';
import { isAbstention, type TriageProvider } from './provider.ts';
import { redactCase } from './redact.ts';
import { TRIAGE_USE, type TriageAnswer } from './triage-prompt.ts';

/** The actor of what the gate does on its own, in the case history and the audit log. */
export const GATE_ACTOR = 'ai-gate';

export interface TriageRequest {
  caseId: string;
  threshold: number;
  categories: string[];
  teams: string[];
  /** How many labelled examples (people's decisions) the prompt carries, newest first. */
  examples: number;
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
        reviewStatus: applied ? null : 'pending',
        final: applied ? { category: v.category, team: v.team } : null,
        decidedBy: applied ? GATE_ACTOR : null,
        at: now(),
      });
    } catch (error) {
      if (!(error instanceof CrossdockError) || !error.code.startsWith('AI_')) throw error;
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
        reviewStatus: null,
        final: { team: detail.owner.team, fallback: 'default owner' },
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
    errorCode: row.error_code,
  };
}

/** Business actions a workflow declared on the case are not the case's facts: not sent. */
function withoutActions(details: Record<string, unknown> | null): Record<string, unknown> | null {
  if (details === null) return null;
  const { actions: _actions, ...rest } = details;
  return rest;
}

function gateNote(r: TriageResult, row: RecommendationRow): string {
  return (
    `AI triage (recommendation ${r.recommendationId}, ${row.answered_model ?? row.model}): ` +
    `category ${r.category}, team ${r.team}, confidence ${r.confidence} >= ${Number(row.threshold)}; ` +
    `assigned to ${r.team}. Suggested action: ${r.action}`
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
    `Suggested action: ${r.action}. Accept or override it; the case keeps its owner until then.`
  );
}

/** Assigns the case to the team unless it is closed or already theirs, and notes why. */
export async function applyToCase(
  exceptions: ExceptionsService,
  caseId: string,
  r: { team: string | null },
  actor: string,
  note: string,
): Promise<void> {
  const detail = await exceptions.show(caseId);
  if (detail.status === 'resolved' || detail.status === 'replayed') return;
  if (r.team !== null && detail.owner.team !== r.team)
    await exceptions.assign(caseId, { team: r.team }, { actor });
  await ensureNote(exceptions, caseId, note, actor);
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
