import type {
  ClassFigures,
  DelayEvalReport,
  DelayTrainingSummary,
  EvalReport,
  MailEvalReport,
  TrainingSummary,
  TriageProvider,
} from '../ai/index.ts';
import type { Kysely } from 'kysely';
import type { CrossdockConfig } from '../config/index.ts';
import type { Database } from '../store/index.ts';
import { cliActor } from './operations.ts';
import { table, usageError, type Output } from './output.ts';

export interface AiModelFlags {
  set?: string;
  threshold?: string;
}

/** The model commands' lines of `crossdock ai`'s usage. */
export const AI_MODEL_USAGE = `       | ai train [delay_risk] [--set labelled.jsonl]     retrain the offline triage (or delay-risk) model
       | ai eval exception_triage|mail_extraction --set labelled.jsonl [--threshold 0.8]   measure the configured provider
       | ai eval delay_risk --set deliveries.jsonl [--threshold 0.4]        measure the delay-risk model`;

const USAGE =
  'usage: crossdock ai train [exception_triage|delay_risk] [--set labelled.jsonl] | eval exception_triage|mail_extraction|delay_risk --set labelled.jsonl [--threshold t]';

/**
 * `crossdock ai train [--set file]`: retrains the built-in offline triage model from the
 * store's history (and the file's labelled cases, if given) as its next version.
 * `crossdock ai eval <use> --set file [--threshold t]`: the configured provider (the offline
 * model unless CROSSDOCK_AI_URL is set) on a labelled set. Both open the store themselves:
 * with the embedded store, not while a Crossdock runs on it (its lock says so).
 */
export async function aiModelCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: AiModelFlags,
  out: Output,
): Promise<number> {
  const [sub, use] = rest;
  if (sub === 'train' && use === 'delay_risk') {
    return withStore(config, async (db) => {
      const { readDelaySet, trainDelayRiskModel } = await import('../ai/index.ts');
      const imported = flags.set ? { file: flags.set, cases: readDelaySet(flags.set) } : undefined;
      const summary = await trainDelayRiskModel(db, {
        now: new Date(),
        by: cliActor(),
        ...(imported ? { imported } : {}),
      });
      out.result(summary, () => describeDelayTraining(summary));
      return 0;
    });
  }
  if (sub === 'train') {
    if (use !== undefined && use !== 'exception_triage') throw usageError(USAGE);
    return withStore(config, async (db) => {
      const { readLabelledSet, trainTriageModel } = await import('../ai/index.ts');
      const imported = flags.set
        ? { file: flags.set, cases: readLabelledSet(flags.set) }
        : undefined;
      const summary = await trainTriageModel(db, {
        now: new Date(),
        by: cliActor(),
        ...(imported ? { imported } : {}),
      });
      out.result(summary, () => describeTraining(summary));
      return 0;
    });
  }
  if (sub === 'eval') {
    if (use !== 'exception_triage' && use !== 'mail_extraction' && use !== 'delay_risk')
      throw usageError(`${USAGE}\n(the uses are exception_triage, mail_extraction and delay_risk)`);
    if (!flags.set) throw usageError(`--set is required\n${USAGE}`);
    const raw = flags.threshold ?? (use === 'delay_risk' ? '0.4' : '0.8');
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(raw))
      throw usageError(`--threshold must be a number from 0 to 1, not "${raw}"`);
    const threshold = Number(raw);
    if (use === 'delay_risk') return evalDelayRisk(config, flags.set, threshold, out);
    if (use === 'mail_extraction') {
      const { evaluateMail, readMailSet } = await import('../ai/index.ts');
      const mails = readMailSet(flags.set);
      const client = config.ai ? await chatClient(config.ai) : null;
      const report = await evaluateMail(client, mails, threshold);
      out.result(report, () => describeMailEval(report, flags.set!));
      return 0;
    }
    const { evaluate, readLabelledSet } = await import('../ai/index.ts');
    const cases = readLabelledSet(flags.set);
    const run = async (provider: TriageProvider) => {
      const report = await evaluate(provider, cases, threshold, use);
      out.result(report, () => describeEval(report, flags.set!));
      return 0;
    };
    if (config.ai) return run(await chatProvider(config.ai));
    return withStore(config, async (db) => {
      const { OfflineTriageModel } = await import('../ai/index.ts');
      return run(new OfflineTriageModel(db));
    });
  }
  throw usageError(USAGE);
}

/** Delay risk is always the built-in model's: no provider answers it. */
async function evalDelayRisk(
  config: CrossdockConfig,
  file: string,
  threshold: number,
  out: Output,
): Promise<number> {
  const { DelayRiskModel, evaluateDelayRisk, readDelaySet } = await import('../ai/index.ts');
  const cases = readDelaySet(file);
  return withStore(config, async (db) => {
    const report = evaluateDelayRisk(await new DelayRiskModel(db).current(), cases, threshold);
    out.result(report, () => describeDelayEval(report, file));
    return 0;
  });
}

async function withStore(
  config: CrossdockConfig,
  body: (db: Kysely<Database>) => Promise<number>,
): Promise<number> {
  const { openStore } = await import('../store/index.ts');
  const store = await openStore(config.store);
  try {
    await store.migrate();
    return await body(store.db);
  } finally {
    await store.close();
  }
}

async function chatProvider(ai: NonNullable<CrossdockConfig['ai']>): Promise<TriageProvider> {
  const { chatTriageProvider } = await import('../ai/index.ts');
  return chatTriageProvider(await chatClient(ai));
}

async function chatClient(ai: NonNullable<CrossdockConfig['ai']>) {
  const { aiClientFor } = await import('../connectors/ai/index.ts');
  return aiClientFor(ai);
}

function describeMailEval(r: MailEvalReport, file: string): string {
  const rows = r.fields.map((f) => ({
    field: f.field,
    labelled: f.labelled,
    answered: f.answered,
    correct: f.correct,
    precision: pct(f.precision),
    recall: pct(f.recall),
  }));
  return [
    `mail_extraction on ${file}: ${r.messages} message(s), model ${r.model}${r.fellBack > 0 ? ` (${r.fellBack} answered by the rules: the provider failed)` : ''}`,
    `at threshold ${r.threshold}: coverage ${pct(r.coverage)} (${r.automatic}/${r.messages} applied by the gate), ` +
      `error rate ${pct(r.errorRate)} (${r.automaticWrong} wrong)`,
    table(rows, ['field', 'labelled', 'answered', 'correct', 'precision', 'recall']),
    ...r.mistakes.map(
      (m) => `  line ${m.line}: ${m.field} "${m.answered}", labelled "${m.expected}"`,
    ),
  ].join('\n');
}

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

function describeTraining(s: TrainingSummary & { imported: number }): string {
  const from = Object.entries(s.sources)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    ...(s.imported > 0
      ? [`${s.imported} labelled case(s) imported; later retrainings learn from them too`]
      : []),
    `${s.use} model version ${s.version}, trained ${s.trainedAt} from ${s.examples} example(s)${from ? ` (${from})` : ''}`,
    `calibration: ${s.calibration.method}, T = ${s.calibration.temperature.toFixed(3)} over ${s.calibration.folds} fold(s)`,
    s.answers
      ? "it answers; below a step's threshold a person still decides"
      : `it abstains on every case until it has ${s.minExamples} examples in 2 classes: each case goes to a person`,
    table(s.classes, ['category', 'team', 'examples']),
    s.severity.answers
      ? `severity: learnt (T = ${s.severity.temperature.toFixed(3)}); applied when its own probability reaches the step's threshold`
      : `severity: none until ${s.severity.minExamples} examples in 2 severities: each case keeps its own`,
    ...(s.severity.classes.length ? [table(s.severity.classes, ['severity', 'examples'])] : []),
  ].join('\n');
}

function describeEval(r: EvalReport, file: string): string {
  const rows = (list: ClassFigures[]) =>
    list.map((c) => ({ ...c, precision: pct(c.precision), recall: pct(c.recall) }));
  const columns = ['label', 'support', 'predicted', 'correct', 'precision', 'recall'];
  return [
    `${r.use} on ${file}: ${r.cases} case(s), model ${r.model}`,
    `accuracy ${pct(r.accuracy)} (${r.correct}/${r.cases} with category and team right; ${r.abstained} abstained, ${r.failed} failed)`,
    `at threshold ${r.threshold}: coverage ${pct(r.coverage)} (${r.automatic}/${r.cases} decided automatically), ` +
      `error rate ${pct(r.errorRate)} (${r.automaticWrong} wrong), precision ${pct(r.precisionAtThreshold)}`,
    '',
    'categories',
    table(rows(r.categories), columns),
    '',
    'teams',
    table(rows(r.teams), columns),
    ...(r.severity
      ? [
          '',
          `severity: accuracy ${pct(r.severity.accuracy)} (${r.severity.correct}/${r.cases} right), ` +
            `coverage ${pct(r.severity.coverage)} (${r.severity.answered} given one; the others keep their own), ` +
            `precision ${pct(r.severity.precision)}`,
          table(rows(r.severity.classes), columns),
        ]
      : []),
    ...(r.automaticMistakes.length
      ? [
          '',
          'decided automatically and wrong',
          table(r.automaticMistakes, ['line', 'label', 'answer', 'confidence']),
        ]
      : []),
  ].join('\n');
}

function describeDelayTraining(s: DelayTrainingSummary): string {
  const from = Object.entries(s.sources)
    .map(([k, n]) => `${n} from ${k}`)
    .join(', ');
  return [
    ...(s.imported > 0
      ? [`${s.imported} labelled delivery(ies) imported; later retrainings learn from them too`]
      : []),
    `delay_risk model version ${s.version}, trained ${s.trainedAt} from ${s.examples} delivery(ies)${from ? ` (${from})` : ''}`,
    `calibration: ${s.calibration.method}, T = ${s.calibration.temperature.toFixed(3)} over ${s.calibration.folds} fold(s)`,
    s.answers
      ? 'it scores open deliveries'
      : `it abstains on every delivery until it has ${s.minExamples} in history, late and on-time ones`,
    table(s.classes, ['label', 'examples']),
  ].join('\n');
}

function describeDelayEval(r: DelayEvalReport, file: string): string {
  const rows = r.classes.map((c) => ({
    ...c,
    precision: pct(c.precision),
    recall: pct(c.recall),
  }));
  const bands = r.calibration.map((b) => ({
    risk: b.band,
    deliveries: b.cases,
    'mean risk': pct(b.meanRisk),
    'late share': pct(b.lateShare),
  }));
  return [
    `${r.use} on ${file}: ${r.cases} delivery(ies), ${r.late} late, model ${r.model}`,
    `accuracy ${pct(r.accuracy)} (${r.correct}/${r.cases} right at risk 0.5; ${r.abstained} abstained)`,
    `at threshold ${r.threshold}: coverage ${pct(r.coverage)} (${r.automatic}/${r.cases} answered at that confidence), ` +
      `error rate ${pct(r.errorRate)} (${r.automaticWrong} wrong), precision ${pct(r.precisionAtThreshold)}`,
    `flagged at risk >= ${r.threshold}: ${r.flagged.count}, of them late ${r.flagged.late} ` +
      `(precision ${pct(r.flagged.precision)}, recall of late ones ${pct(r.flagged.recall)})`,
    `Brier score ${r.brier === null ? '-' : r.brier.toFixed(3)}`,
    '',
    table(rows, ['label', 'support', 'predicted', 'correct', 'precision', 'recall']),
    '',
    'calibration',
    table(bands, ['risk', 'deliveries', 'mean risk', 'late share']),
  ].join('\n');
}
