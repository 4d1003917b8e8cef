export * from './definition.ts';
export * from './expressions.ts';
export {
  DEFAULT_EXPRESSION_LIMITS,
  LIMIT_SETTINGS,
  type ExpressionLimits,
} from './expression-limits.ts';
export * from './step-type.ts';
export {
  loadWorkflowDir,
  parseWorkflow,
  contentHash,
  canonicalJson,
  formatPath,
  type DefinitionProblem,
  type LoadResult,
  type StepTypeLookup,
} from './loader.ts';
export { definitionChanges, type DefinitionChanges } from './changes.ts';
export { backoffDelayMs, type Backoff, type RandomSource } from './backoff.ts';
export { readYamlFile } from './yaml-file.ts';
export { compileJsonSchema } from './json-schema.ts';
export { WakeableSleep } from './wakeable-sleep.ts';
