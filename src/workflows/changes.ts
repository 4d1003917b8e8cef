import { canonicalJson } from './loader.ts';
import type { WorkflowDefinition } from './definition.ts';

/**
 * What changed between two versions of one workflow. Steps are matched by id and compared
 * as canonical JSON (key order does not count: a definition read back from jsonb has its
 * keys in another order than the file it was parsed from).
 */
export interface DefinitionChanges {
  stepsAdded: string[];
  stepsRemoved: string[];
  stepsChanged: string[];
  /** The steps both versions have are in another order (which moves the default `next` edges). */
  stepOrderChanged: boolean;
  triggerChanged: boolean;
  /** Other top-level fields that differ (description, concurrency, priority, output, retry); the label `version` is left out. */
  settingsChanged: string[];
}

const SETTINGS = [
  'description',
  'concurrency',
  'priority',
  'output',
  'retry',
] as const satisfies readonly (keyof WorkflowDefinition)[];

export function definitionChanges(
  previous: WorkflowDefinition,
  next: WorkflowDefinition,
): DefinitionChanges {
  const before = new Map(previous.steps.map((s) => [s.id, canonicalJson(s)]));
  const after = new Map(next.steps.map((s) => [s.id, canonicalJson(s)]));
  const kept = (steps: WorkflowDefinition['steps'], other: Map<string, string>) =>
    steps.map((s) => s.id).filter((id) => other.has(id));
  return {
    stepsAdded: next.steps.map((s) => s.id).filter((id) => !before.has(id)),
    stepsRemoved: previous.steps.map((s) => s.id).filter((id) => !after.has(id)),
    stepsChanged: next.steps
      .map((s) => s.id)
      .filter((id) => before.has(id) && before.get(id) !== after.get(id)),
    stepOrderChanged:
      kept(previous.steps, after).join('\n') !== kept(next.steps, before).join('\n'),
    triggerChanged: canonicalJson(previous.trigger ?? null) !== canonicalJson(next.trigger ?? null),
    settingsChanged: SETTINGS.filter(
      (key) => canonicalJson(previous[key] ?? null) !== canonicalJson(next[key] ?? null),
    ),
  };
}
