/**
 * The offline triage model's severity head: a second naive Bayes, fitted on the same labelled
 * examples as the category and team, whose classes are the severity each case ended with. It
 * reads the case's words without the case's own `severity:` line, so it assesses the case
 * rather than repeating the severity it was opened with. Stored beside the category and team
 * in the model's parameters; a model trained before it has none and answers no severity.
 */
import { SEVERITIES, type Severity } from '../../exceptions/index.ts';
import {
  fitCalibrated,
  predict,
  tokens,
  type Calibrated,
  type LabelledText,
  type NaiveBayesParams,
} from './naive-bayes.ts';

/** Fewer examples labelled with a severity than this and the head answers none. */
export const SEVERITY_MIN_EXAMPLES = 20;

/** The words of a case for its severity: all but the severity it was opened with. */
export const severityTokens = (text: string) => tokens(text.replace(/^severity: .*$/m, ''));

/** A severity named in a label, or null when it names none (or not a known one). */
export function severityOf(value: unknown): Severity | null {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)
    ? (value as Severity)
    : null;
}

/** The severity a redacted case was triaged with (its `severity:` line). */
export const severityInText = (text: string) =>
  severityOf(/^severity: (.+)$/m.exec(text)?.[1]?.trim());

/** The head, fitted and calibrated on the examples that carry a severity; null with none. */
export function fitSeverity(examples: LabelledText[]): Calibrated | null {
  if (examples.length === 0) return null;
  return fitCalibrated(examples, 5, 1, severityTokens);
}

/**
 * The severity the head assigns, with its calibrated probability, or null with the reason
 * when it does not answer: no head (a model trained before it), too few examples or
 * classes, or a top probability under the step's threshold (the case keeps its own).
 */
export function assessSeverity(
  head: NaiveBayesParams | undefined,
  text: string,
  threshold: number,
): { severity: Severity | null; p: number | null; why: string } {
  if (!head) return { severity: null, p: null, why: 'this version learnt no severity' };
  const examples = head.docs.reduce((a, b) => a + b, 0);
  if (examples < SEVERITY_MIN_EXAMPLES || head.classes.length < 2)
    return {
      severity: null,
      p: null,
      why: `severity learnt from ${examples} example(s) in ${head.classes.length} class(es); it answers from ${SEVERITY_MIN_EXAMPLES} in 2`,
    };
  const top = predict(head, text, { tokenize: severityTokens }).ranked[0]!;
  const p = Math.round(top.p * 1000) / 1000;
  if (p < threshold)
    return { severity: null, p, why: `severity ${top.label} at ${p} < ${threshold}` };
  return { severity: severityOf(top.label), p, why: `severity ${top.label} at ${p}` };
}
