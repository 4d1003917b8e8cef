import { CrossdockError } from '../errors/index.ts';
import type { StepType, StepTypeLookup } from '../workflows/index.ts';
import { branchStep, failStep, logStep, switchStep, transformStep } from './steps/control.ts';
import { cancelRunsStep, signalRunsStep } from './steps/cancel-runs.ts';
import { emitStep } from './steps/emit.ts';
import { subflowStep } from './steps/subflow.ts';
import { waitStep } from './steps/wait.ts';

/** The step types a Crossdock instance knows. Each instance has its own; no global registry. */
export class StepRegistry implements StepTypeLookup {
  readonly #types = new Map<string, StepType<unknown>>();

  constructor(types: StepType<any>[] = []) {
    for (const type of types) this.register(type);
  }

  register(type: StepType<any>): this {
    if (this.#types.has(type.type)) {
      throw new CrossdockError(
        'STEP_TYPE_DUPLICATE',
        `Step type "${type.type}" is registered twice`,
        { category: 'bug' },
      );
    }
    this.#types.set(type.type, type as StepType<unknown>);
    return this;
  }

  get(type: string): StepType<unknown> | undefined {
    return this.#types.get(type);
  }

  types(): string[] {
    return [...this.#types.keys()].sort();
  }
}

/** The engine's own step types; connectors add theirs in the composition root. */
export const engineStepTypes = (): StepType<any>[] => [
  transformStep,
  branchStep,
  switchStep,
  failStep,
  logStep,
  waitStep,
  subflowStep,
  emitStep,
  cancelRunsStep,
  signalRunsStep,
];
