export * from './definition.ts';
export * from './expressions.ts';
export * from './step-type.ts';
export { loadWorkflowDir, parseWorkflow, contentHash, canonicalJson, formatPath, type DefinitionProblem, type LoadResult, type StepTypeLookup } from './loader.ts';
export { definitionChanges, type DefinitionChanges } from './changes.ts';
