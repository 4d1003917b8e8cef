/**
 * The delay-risk model: the offline triage model's naive Bayes and temperature calibration
 * (src/ai/offline/naive-bayes.ts), over a delivery's features instead of a case's words, with
 * two classes, late and on time. Its examples are the site's history: deliveries Odoo shows
 * validated, kept in `ai_seed_examples` by the scoring passes (source `odoo:<connection>`),
 * and labelled deliveries imported from files. Each training is a new version in `ai_models`
 * (use `delay_risk`), like the triage model's.
 */
import type { Kysely } from 'kysely';
import { sha256 } from '../../connectors/ai/index.ts';
import type { Database } from '../../store/index.ts';
import {
  addSeedExamples,
  currentModelVersion,
  modelByVersion,
  saveNaiveBayes,
  seedExamples,
} from '../models.ts';
import {
  featureTokens,
  fitCalibrated,
  predict,
  type LabelledText,
  type NaiveBayesParams,
} from '../offline/naive-bayes.ts';
import { OFFLINE_MODEL } from '../offline/offline-provider.ts';
import { DELAY_RISK_USE, featureText, LATE, ON_TIME } from './features.ts';
import type { Delivery } from './odoo-deliveries.ts';
import type { LabelledDelivery } from './labelled-set.ts';

/** Fewer examples than this, or no late one and no on-time one, and the model abstains. */
export const MIN_DELIVERIES = 30;
/**
 * Laplace smoothing of the counts: heavier than triage's 1, as a delivery has five words
 * whose values recur hundreds of times, and a lane seen a few times must not decide alone.
 */
export const DELAY_ALPHA = 10;

export interface DelayTrainingSummary {
  use: typeof DELAY_RISK_USE;
  version: number;
  trainedAt: string;
  trainedBy: string;
  examples: number;
  /** Examples by where they came from: `odoo:<connection>` or the file's name. */
  sources: Record<string, number>;
  classes: { label: string; examples: number }[];
  calibration: { method: string; temperature: number; folds: number };
  answers: boolean;
  minExamples: number;
  imported: number;
}

const labelOf = (late: boolean) => (late ? LATE : ON_TIME);

/**
 * Keeps validated deliveries as examples, once per delivery (the hash is the connection and
 * the transfer's id, so a delivery read again adds nothing); returns how many were new.
 */
export async function keepHistory(
  db: Kysely<Database>,
  connection: string,
  history: Delivery[],
  at: Date,
): Promise<number> {
  return addSeedExamples(
    db,
    DELAY_RISK_USE,
    history.map((d) => ({
      inputHash: sha256(`odoo:${connection}:stock.picking:${d.pickingId}`),
      input: featureText(d),
      label: { late: d.late, picking: d.picking },
    })),
    { file: `odoo:${connection}`, by: 'delay-risk', at },
  );
}

export async function trainDelayRiskModel(
  db: Kysely<Database>,
  options: { now: Date; by: string; imported?: { file: string; cases: LabelledDelivery[] } },
): Promise<DelayTrainingSummary> {
  const imported = options.imported
    ? await addSeedExamples(
        db,
        DELAY_RISK_USE,
        options.imported.cases.map((c) => ({
          // The line is part of the key: two deliveries alike in every feature are two examples.
          inputHash: sha256(`${options.imported!.file}:${c.line}:${c.text}`),
          input: c.text,
          label: { late: c.late },
        })),
        { file: options.imported.file, by: options.by, at: options.now },
      )
    : 0;
  const examples: LabelledText[] = [];
  const sources: Record<string, number> = {};
  for (const s of await seedExamples(db, DELAY_RISK_USE)) {
    examples.push({ text: s.input, label: labelOf((s.label as { late: boolean }).late) });
    sources[s.source_file] = (sources[s.source_file] ?? 0) + 1;
  }
  const { params, calibration } = fitCalibrated(examples, 5, DELAY_ALPHA, featureTokens);
  const classes = params.classes.map((label, i) => ({ label, examples: params.docs[i]! }));
  const saved = await saveNaiveBayes(db, {
    use: DELAY_RISK_USE,
    trainedAt: options.now,
    trainedBy: options.by,
    examples: examples.length,
    sources,
    classes,
    calibration,
    params,
  });
  return {
    ...saved,
    answers: answers(examples.length, params),
    minExamples: MIN_DELIVERIES,
    imported,
  };
}

const answers = (examples: number, params: NaiveBayesParams) =>
  examples >= MIN_DELIVERIES && params.classes.includes(LATE) && params.classes.includes(ON_TIME);

/** A delivery's score: the calibrated probability that it is late, or an abstention. */
export type RiskScore =
  | {
      abstained: false;
      risk: number;
      /** The probability of the class answered (late or on time): how sure the model is. */
      confidence: number;
      /** The features pulling most towards late, strongest first. */
      reasons: string[];
    }
  | { abstained: true; risk: null; confidence: 0; reasons: []; why: string };

/** The use's current model, read again only when a newer version has been trained. */
export class DelayRiskModel {
  readonly #db: Kysely<Database>;
  #loaded: { version: number; examples: number; params: NaiveBayesParams } | null = null;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The model and version that answer (`crossdock-offline@4`), with its scorer. */
  async current(): Promise<{
    answeredModel: string;
    version: number | null;
    score: (text: string) => RiskScore;
  }> {
    const version = await currentModelVersion(this.#db, DELAY_RISK_USE);
    if (version !== null && this.#loaded?.version !== version) {
      const row = await modelByVersion(this.#db, DELAY_RISK_USE, version);
      if (row)
        this.#loaded = { version, examples: row.examples, params: row.params as NaiveBayesParams };
    }
    const model = version === null ? null : this.#loaded;
    const abstain = (why: string): RiskScore => ({
      abstained: true,
      risk: null,
      confidence: 0,
      reasons: [],
      why,
    });
    return {
      answeredModel: model ? `${OFFLINE_MODEL}@${model.version}` : OFFLINE_MODEL,
      version: model?.version ?? null,
      score: (text) => {
        if (!model)
          return abstain('no delay-risk model is trained yet (crossdock ai train delay_risk)');
        if (!answers(model.examples, model.params))
          return abstain(
            `the model was trained on ${model.examples} delivery(ies) in ${model.params.classes.length} class(es); it answers from ${MIN_DELIVERIES} with late and on-time ones`,
          );
        return scoreWith(model.params, text);
      },
    };
  }
}

/** Scores one delivery's features; abstains when none of them was seen in the history. */
export function scoreWith(params: NaiveBayesParams, text: string): RiskScore {
  const prediction = predict(params, text, { tokenize: featureTokens, towards: LATE });
  const known = featureTokens(text).filter((t) => params.words[t] !== undefined);
  if (known.length === 0)
    return {
      abstained: true,
      risk: null,
      confidence: 0,
      reasons: [],
      why: 'none of its carrier, lane, weekday, class or backlog was seen in the history',
    };
  const risk = prediction.ranked.find((r) => r.label === LATE)?.p ?? 0;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    abstained: false,
    risk: round(risk),
    confidence: round(Math.max(risk, 1 - risk)),
    // A feature Odoo did not give (no product category, no country) is no reason to name.
    reasons: prediction.evidence.filter((w) => !w.endsWith('=unknown')).slice(0, 3),
  };
}
