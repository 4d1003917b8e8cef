/**
 * Evaluation of the delay-risk model on labelled deliveries: what `crossdock ai eval
 * delay_risk` reports. The model answers late when its risk is 0.5 or more.
 *  - accuracy: right answers / deliveries (an abstention is not right);
 *  - precision and recall of late and of on time;
 *  - at the threshold: coverage = deliveries answered with a confidence (the probability of
 *    the class answered) at or above it / deliveries, and the error rate among them;
 *  - flagged at the threshold (risk >= threshold, what the scoring workflow raises to the
 *    operations lead): how many, the share of them late (precision) and of late ones flagged
 *    (recall);
 *  - calibration: per band of risk, the mean risk given and the share late; and the Brier score.
 */
import { CrossdockError } from '../../errors/index.ts';
import { perClass, type ClassFigures } from '../eval.ts';
import { LATE, ON_TIME, DELAY_RISK_USE } from './features.ts';
import type { LabelledDelivery } from './labelled-set.ts';
import type { RiskScore } from './model.ts';

export interface DelayEvalReport {
  use: typeof DELAY_RISK_USE;
  model: string;
  threshold: number;
  cases: number;
  late: number;
  answered: number;
  abstained: number;
  correct: number;
  accuracy: number;
  automatic: number;
  automaticWrong: number;
  coverage: number;
  errorRate: number | null;
  precisionAtThreshold: number | null;
  classes: ClassFigures[];
  flagged: { count: number; late: number; precision: number | null; recall: number | null };
  calibration: { band: string; cases: number; meanRisk: number; lateShare: number }[];
  /** Mean squared difference between the risk and the outcome (0 late = 0, late = 1); lower is better. */
  brier: number | null;
}

interface Outcome {
  d: LabelledDelivery;
  score: RiskScore;
  answer: string | null;
}

const BANDS = [0, 0.2, 0.4, 0.6, 0.8, 1.0001];

export function evaluateDelayRisk(
  model: { answeredModel: string; score: (text: string) => RiskScore },
  cases: LabelledDelivery[],
  threshold: number,
): DelayEvalReport {
  if (!cases.some((c) => c.late) || !cases.some((c) => !c.late))
    throw new CrossdockError(
      'AI_SET_INVALID',
      'A labelled set of deliveries needs late and on-time ones',
    );
  const outcomes: Outcome[] = cases.map((d) => {
    const score = model.score(d.text);
    return { d, score, answer: score.abstained ? null : score.risk >= 0.5 ? LATE : ON_TIME };
  });
  const truth = (o: Outcome) => (o.d.late ? LATE : ON_TIME);
  const answered = outcomes.filter((o) => !o.score.abstained);
  const correct = outcomes.filter((o) => o.answer === truth(o)).length;
  const automatic = answered.filter((o) => o.score.confidence >= threshold);
  const wrong = automatic.filter((o) => o.answer !== truth(o));
  const errorRate = automatic.length === 0 ? null : wrong.length / automatic.length;
  const flagged = answered.filter((o) => o.score.risk! >= threshold);
  const late = cases.filter((c) => c.late).length;
  const flaggedLate = flagged.filter((o) => o.d.late).length;
  return {
    use: DELAY_RISK_USE,
    model: model.answeredModel,
    threshold,
    cases: cases.length,
    late,
    answered: answered.length,
    abstained: cases.length - answered.length,
    correct,
    accuracy: correct / cases.length,
    automatic: automatic.length,
    automaticWrong: wrong.length,
    coverage: automatic.length / cases.length,
    errorRate,
    precisionAtThreshold: errorRate === null ? null : 1 - errorRate,
    classes: perClass([LATE, ON_TIME], outcomes, truth, (o) => o.answer),
    flagged: {
      count: flagged.length,
      late: flaggedLate,
      precision: flagged.length === 0 ? null : flaggedLate / flagged.length,
      recall: late === 0 ? null : flaggedLate / late,
    },
    calibration: calibrationBands(answered),
    brier:
      answered.length === 0
        ? null
        : answered.reduce((sum, o) => sum + (o.score.risk! - (o.d.late ? 1 : 0)) ** 2, 0) /
          answered.length,
  };
}

function calibrationBands(answered: Outcome[]): DelayEvalReport['calibration'] {
  const out: DelayEvalReport['calibration'] = [];
  for (let i = 0; i < BANDS.length - 1; i++) {
    const from = BANDS[i]!;
    const to = BANDS[i + 1]!;
    const inBand = answered.filter((o) => o.score.risk! >= from && o.score.risk! < to);
    if (inBand.length === 0) continue;
    out.push({
      band: `${from.toFixed(1)}-${Math.min(to, 1).toFixed(1)}`,
      cases: inBand.length,
      meanRisk: inBand.reduce((s, o) => s + o.score.risk!, 0) / inBand.length,
      lateShare: inBand.filter((o) => o.d.late).length / inBand.length,
    });
  }
  return out;
}
