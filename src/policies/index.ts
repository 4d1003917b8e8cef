export { checkPolicyText, type PolicyCheck, type PolicyProblem } from './check.ts';
export { HitPolicy, JdmContent, NodeType, TableContent } from './jdm.ts';
export {
  loadPolicyDirs,
  parsePolicy,
  policyDirsFor,
  type PolicyFile,
  type PolicyLoad,
} from './loader.ts';
export {
  PolicyRegistry,
  type DecideOutcome,
  type MatchedRule,
  type PolicyRef,
} from './registry.ts';
export { tablesOf, type TableView } from './rows.ts';
export { DecideConfig, decideStep } from './step.ts';
export { runPolicyCases, PolicyCases, type CaseResult } from './cases.ts';
