/**
 * Evaluation of a triage provider on a labelled set: what `crossdock ai eval` reports. Each
 * case is asked as a triage would ask it (redacted text, the set's categories and teams as
 * the lists); an answer is right when both its category and team are the label's.
 *  - accuracy: right answers / cases (an abstention or a failed call is not right);
 *  - per class, for categories and teams apart: precision = right / answered as that class,
 *    recall = right / labelled that class;
 *  - at the threshold: coverage = cases the gate would have decided alone (an answer, not an
 *    abstention, with confidence >= threshold) / cases, and the error rate = wrong among them;
 *    precision at threshold = 1 - error rate;
 *  - severity, asked of the offline model only (a chat provider is judged on the category
 *    and team it is asked for, with the prompt a step without `severity` sends): the label is
 *    the case's severity in the set; no severity given (the case keeps its own) is not right.
 *    Accuracy = right / cases, coverage = cases given a severity / cases, precision = right /
 *    given; per class as above.
 */
import { CrossdockError } from '../errors/index.ts';
import type { LabelledCase } from './labelled-set.ts';
import { isAbstention, type TriageProvider } from './provider.ts';
import { OFFLINE_MODEL } from './offline/offline-provider.ts';

export interface ClassFigures {
  label: string;
  /** Cases labelled this class. */
  support: number;
  /** Cases answered as this class. */
  predicted: number;
  correct: number;
  precision: number | null;
  recall: number | null;
}

export interface EvalReport {
  use: string;
  /** What answered, with its version (`crossdock-offline@3`). */
  model: string;
  threshold: number;
  cases: number;
  answered: number;
  abstained: number;
  failed: number;
  correct: number;
  accuracy: number;
  automatic: number;
  automaticWrong: number;
  coverage: number;
  errorRate: number | null;
  precisionAtThreshold: number | null;
  categories: ClassFigures[];
  teams: ClassFigures[];
  /** Null when the provider was not asked for severity. */
  severity: {
    answered: number;
    correct: number;
    accuracy: number;
    coverage: number;
    precision: number | null;
    classes: ClassFigures[];
  } | null;
  /** The cases the gate would have applied wrongly: line, label and answer. */
  automaticMistakes: { line: number; label: string; answer: string; confidence: number }[];
}

interface Outcome {
  c: LabelledCase;
  category: string | null;
  team: string | null;
  confidence: number;
  severity: string | null;
  kind: 'answered' | 'abstained' | 'failed';
}

const NONE = { category: null, team: null, confidence: 0, severity: null } as const;

export async function evaluate(
  provider: TriageProvider,
  cases: LabelledCase[],
  threshold: number,
  use = 'exception_triage',
): Promise<EvalReport> {
  const categories = [...new Set(cases.map((c) => c.category))].sort();
  const teams = [...new Set(cases.map((c) => c.team))].sort();
  if (categories.length < 2)
    throw new CrossdockError(
      'AI_SET_INVALID',
      'A labelled set needs cases of 2 categories or more',
    );
  const askSeverity = provider.model === OFFLINE_MODEL;
  const outcomes: Outcome[] = [];
  let answeredBy = provider.model;
  for (const c of cases) {
    try {
      const reply = await provider.triage({
        text: c.text,
        categories,
        teams,
        examples: [],
        wants: { severity: askSeverity, summary: false },
        threshold,
      });
      answeredBy = reply.answeredModel;
      const a = reply.answer;
      outcomes.push(
        isAbstention(a)
          ? { c, ...NONE, kind: 'abstained' }
          : {
              c,
              category: a.category,
              team: a.team,
              confidence: a.confidence,
              severity: a.severity ?? null,
              kind: 'answered',
            },
      );
    } catch (error) {
      if (!(error instanceof CrossdockError) || !error.code.startsWith('AI_')) throw error;
      outcomes.push({ c, ...NONE, kind: 'failed' });
    }
  }
  const right = (o: Outcome) => o.category === o.c.category && o.team === o.c.team;
  const automatic = outcomes.filter((o) => o.kind === 'answered' && o.confidence >= threshold);
  const wrong = automatic.filter((o) => !right(o));
  const correct = outcomes.filter(right).length;
  const errorRate = automatic.length === 0 ? null : wrong.length / automatic.length;
  const severityGiven = outcomes.filter((o) => o.severity !== null).length;
  const severityRight = outcomes.filter((o) => o.severity === o.c.severity).length;
  return {
    use,
    model: answeredBy,
    threshold,
    cases: cases.length,
    answered: outcomes.filter((o) => o.kind === 'answered').length,
    abstained: outcomes.filter((o) => o.kind === 'abstained').length,
    failed: outcomes.filter((o) => o.kind === 'failed').length,
    correct,
    accuracy: correct / cases.length,
    automatic: automatic.length,
    automaticWrong: wrong.length,
    coverage: automatic.length / cases.length,
    errorRate,
    precisionAtThreshold: errorRate === null ? null : 1 - errorRate,
    categories: perClass(
      categories,
      outcomes,
      (o) => o.c.category,
      (o) => o.category,
    ),
    teams: perClass(
      teams,
      outcomes,
      (o) => o.c.team,
      (o) => o.team,
    ),
    severity: !askSeverity
      ? null
      : {
          answered: severityGiven,
          correct: severityRight,
          accuracy: severityRight / cases.length,
          coverage: severityGiven / cases.length,
          precision: severityGiven === 0 ? null : severityRight / severityGiven,
          classes: perClass(
            [...new Set(cases.map((c) => c.severity))].sort(),
            outcomes,
            (o) => o.c.severity,
            (o) => o.severity,
          ),
        },
    automaticMistakes: wrong.map((o) => ({
      line: o.c.line,
      label: `${o.c.category}/${o.c.team}`,
      answer: `${o.category}/${o.team}`,
      confidence: o.confidence,
    })),
  };
}

/** Precision and recall of each label (delay risk's evaluation counts its two classes with it too). */
export function perClass<T>(
  labels: string[],
  outcomes: T[],
  truth: (o: T) => string,
  answer: (o: T) => string | null,
): ClassFigures[] {
  return labels.map((label) => {
    const support = outcomes.filter((o) => truth(o) === label).length;
    const predicted = outcomes.filter((o) => answer(o) === label).length;
    const correct = outcomes.filter((o) => truth(o) === label && answer(o) === label).length;
    return {
      label,
      support,
      predicted,
      correct,
      precision: predicted === 0 ? null : correct / predicted,
      recall: support === 0 ? null : correct / support,
    };
  });
}
