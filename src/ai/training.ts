/**
 * Retraining the built-in offline triage model from the site's own history. The labels are
 * people's decisions: every override and accepted review (`ai_examples`), and every case the
 * gate routed that a person then resolved, with the team it was resolved by; and the labelled
 * cases imported from files (a new site's start, `ai_seed_examples`), which every later
 * retraining keeps learning from. Each training is stored as a new version; the offline
 * provider takes it at its next triage.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { LabelledCase } from './labelled-set.ts';
import { allExamples, resolvedTriages } from './log.ts';
import { addSeedExamples, currentModelVersion, saveNaiveBayes, seedExamples } from './models.ts';
import { sha256 } from '../connectors/ai/index.ts';
import { fitCalibrated, type LabelledText } from './offline/naive-bayes.ts';
import { classKey, classOf, MIN_EXAMPLES } from './offline/offline-provider.ts';
import {
  fitSeverity,
  SEVERITY_MIN_EXAMPLES,
  severityInText,
  severityOf,
} from './offline/severity.ts';
import type { Severity } from '../exceptions/index.ts';
import { TRIAGE_USE } from './triage-prompt.ts';

export type ExampleSource = 'overridden' | 'accepted' | 'resolved' | 'file';

export interface TrainingSummary {
  use: string;
  version: number;
  trainedAt: string;
  trainedBy: string;
  examples: number;
  sources: Record<ExampleSource, number>;
  classes: { category: string; team: string; examples: number }[];
  calibration: { method: string; temperature: number; folds: number };
  /** False while the model abstains on every case (too few examples or classes). */
  answers: boolean;
  /** The examples it needs before it answers. */
  minExamples: number;
  /** The severity head: the examples per severity, and whether it answers (docs/AI.md). */
  severity: {
    classes: { severity: string; examples: number }[];
    temperature: number;
    answers: boolean;
    minExamples: number;
  };
}

interface Example extends LabelledText {
  source: ExampleSource;
  /** The severity the case ended with; null when the example does not say. */
  severity: Severity | null;
}

const userText = (prompt: unknown) =>
  (prompt as { messages?: { role: string; content: string }[] }).messages?.find(
    (m) => m.role === 'user',
  )?.content ?? null;

/**
 * The labelled examples of the history, oldest first within each source. Their severity is
 * the one the case ended with: a person's override's, the case's own when a person resolved
 * it, a file's; an example that names none (an override that left it, an acceptance) keeps
 * the severity the case was triaged with, which the case kept.
 */
export async function historyExamples(db: Kysely<Database>, use = TRIAGE_USE): Promise<Example[]> {
  const out: Example[] = [];
  for (const e of await allExamples(db, use)) {
    const label = e.label as { category?: string; team?: string; severity?: string };
    if (!label.category || !label.team) continue;
    out.push({
      text: e.input,
      label: classKey(label.category, label.team),
      source: e.source,
      severity: severityOf(label.severity) ?? severityInText(e.input),
    });
  }
  for (const r of await resolvedTriages(db, use)) {
    const text = userText(r.prompt);
    if (text !== null)
      out.push({
        text,
        label: classKey(r.category, r.team),
        source: 'resolved',
        severity: severityOf(r.severity),
      });
  }
  for (const s of await seedExamples(db, use)) {
    const label = s.label as { category: string; team: string; severity?: string };
    out.push({
      text: s.input,
      label: classKey(label.category, label.team),
      source: 'file',
      severity: severityOf(label.severity) ?? severityInText(s.input),
    });
  }
  return out;
}

export async function trainTriageModel(
  db: Kysely<Database>,
  options: { now: Date; by: string; imported?: { file: string; cases: LabelledCase[] } },
): Promise<TrainingSummary & { imported: number }> {
  const imported = options.imported
    ? await addSeedExamples(
        db,
        TRIAGE_USE,
        options.imported.cases.map((c) => ({
          inputHash: sha256(c.text),
          input: c.text,
          label: { category: c.category, team: c.team, severity: c.severity },
        })),
        { file: options.imported.file, by: options.by, at: options.now },
      )
    : 0;
  const examples = await historyExamples(db);
  const { params, calibration } = fitCalibrated(examples);
  const severity = fitSeverity(
    examples.flatMap((e) => (e.severity ? [{ text: e.text, label: e.severity }] : [])),
  );
  const severityClasses = (severity?.params.classes ?? []).map((s, i) => ({
    severity: s,
    examples: severity!.params.docs[i]!,
  }));
  const severityExamples = severityClasses.reduce((n, c) => n + c.examples, 0);
  const sources: Record<ExampleSource, number> = {
    overridden: 0,
    accepted: 0,
    resolved: 0,
    file: 0,
  };
  for (const e of examples) sources[e.source]++;
  const classes = params.classes.map((key, i) => ({ ...classOf(key), examples: params.docs[i]! }));
  const saved = await saveNaiveBayes(db, {
    use: TRIAGE_USE,
    trainedAt: options.now,
    trainedBy: options.by,
    examples: examples.length,
    sources,
    classes,
    calibration,
    params: severity ? { ...params, severity: severity.params } : params,
  });
  return {
    ...saved,
    answers: examples.length >= MIN_EXAMPLES && classes.length >= 2,
    minExamples: MIN_EXAMPLES,
    severity: {
      classes: severityClasses,
      temperature: severity?.params.temperature ?? 1,
      answers: severityExamples >= SEVERITY_MIN_EXAMPLES && severityClasses.length >= 2,
      minExamples: SEVERITY_MIN_EXAMPLES,
    },
    imported,
  };
}

/** The newest version of the offline triage model; null before the first training. */
export async function currentTriageModelVersion(db: Kysely<Database>): Promise<number | null> {
  return currentModelVersion(db, TRIAGE_USE);
}
