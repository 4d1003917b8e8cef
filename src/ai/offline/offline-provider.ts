/**
 * The built-in offline model as a triage provider: the use's current trained model (the
 * highest version in `ai_models`), asked in process. It abstains (confidence 0, so the gate
 * leaves the case to a person) when there is no model yet, when it was trained on fewer than
 * MIN_EXAMPLES labelled examples or fewer than two classes, and when none of the classes it
 * knows is in the step's lists. It never guesses.
 *
 * Its confidence is the calibrated probability of the whole answer (the category and the
 * team together). Probability it gives to classes outside the step's lists is not spread over
 * the ones inside: a case the model takes for something the step does not offer stays unsure.
 */
import type { Kysely } from 'kysely';
import type { ChatMessage } from '../../connectors/ai/index.ts';
import type { Database } from '../../store/index.ts';
import { currentModelVersion, modelByVersion } from '../models.ts';
import { abstain, type TriageAsk, type TriageProvider, type TriageReply } from '../provider.ts';
import { extractiveSummary } from '../summary.ts';
import { TRIAGE_USE } from '../triage-prompt.ts';
import { predict, type NaiveBayesParams } from './naive-bayes.ts';
import { assessSeverity } from './severity.ts';

export const OFFLINE_MODEL = 'crossdock-offline';
/** Fewer labelled examples than this and the model abstains. */
export const MIN_EXAMPLES = 20;

/** A class of the triage model: a category and a team together. */
export const classKey = (category: string, team: string) => `${category}/${team}`;
export function classOf(key: string): { category: string; team: string } {
  const at = key.indexOf('/');
  return { category: key.slice(0, at), team: key.slice(at + 1) };
}

/** The stored parameters: the category and team, and the severity head (absent before it). */
export type TriageModelParams = NaiveBayesParams & { severity?: NaiveBayesParams };

interface Loaded {
  version: number;
  examples: number;
  params: TriageModelParams;
}

export class OfflineTriageModel implements TriageProvider {
  readonly model = OFFLINE_MODEL;
  readonly #db: Kysely<Database>;
  readonly #use: string;
  #loaded: Loaded | null = null;

  constructor(db: Kysely<Database>, use = TRIAGE_USE) {
    this.#db = db;
    this.#use = use;
  }

  /** The current model, read again only when a newer version has been trained. */
  async #current(): Promise<Loaded | null> {
    const version = await currentModelVersion(this.#db, this.#use);
    if (version === null) return null;
    if (this.#loaded?.version === version) return this.#loaded;
    const row = await modelByVersion(this.#db, this.#use, version);
    if (!row) return null;
    this.#loaded = { version, examples: row.examples, params: row.params as TriageModelParams };
    return this.#loaded;
  }

  /** The model reads the redacted case and nothing else. */
  messages(ask: TriageAsk): ChatMessage[] {
    return [{ role: 'user', content: ask.text }];
  }

  async triage(ask: TriageAsk): Promise<TriageReply> {
    const started = performance.now();
    const model = await this.#current();
    const reply = (answer: TriageReply['answer'], version: number | null): TriageReply => ({
      answer,
      answeredModel: version === null ? OFFLINE_MODEL : `${OFFLINE_MODEL}@${version}`,
      responseId: null,
      promptTokens: null,
      completionTokens: null,
      latencyMs: performance.now() - started,
      attempts: 1,
    });
    if (!model) return reply(abstain('no model is trained yet (crossdock ai train)'), null);
    if (model.examples < MIN_EXAMPLES || model.params.classes.length < 2)
      return reply(
        abstain(
          `the model was trained on ${model.examples} labelled example(s) in ${model.params.classes.length} class(es); it answers from ${MIN_EXAMPLES} examples in 2 classes`,
        ),
        model.version,
      );
    const prediction = predict(model.params, ask.text);
    const best = prediction.ranked.find((r) => {
      const c = classOf(r.label);
      return ask.categories.includes(c.category) && ask.teams.includes(c.team);
    });
    if (!best)
      return reply(
        abstain(
          "none of the classes the model was trained on is in the step's categories and teams",
        ),
        model.version,
      );
    const { category, team } = classOf(best.label);
    const confidence = Math.round(best.p * 1000) / 1000;
    const words = prediction.evidence.length ? prediction.evidence.join(', ') : 'no known words';
    // A severity only when its own probability clears the step's threshold; else (null) the
    // case keeps its own. The answer's confidence stays the category and team's.
    const severity = ask.wants?.severity
      ? assessSeverity(model.params.severity, ask.text, ask.threshold ?? 1)
      : null;
    return reply(
      {
        category,
        team,
        action: `Route to ${team} as ${category}.`,
        confidence,
        reason: `Most like the ${category}/${team} cases of version ${model.version} (${model.examples} examples); words: ${words}${severity ? `; ${severity.why}` : ''}.`,
        // Its summary is taken from the case's text.
        ...(severity ? { severity: severity.severity } : {}),
        ...(ask.wants?.summary ? { summary: extractiveSummary(ask.text) } : {}),
      },
      model.version,
    );
  }
}
