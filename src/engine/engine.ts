import { CrossdockError } from '../errors/index.ts';
import { silentLogger, type Logger } from '../observability/index.ts';
import type { CaseEventSink, Store } from '../store/index.ts';
import {
  DEFAULT_EXPRESSION_LIMITS,
  loadWorkflowDir,
  type DefinitionProblem,
  type ExpressionLimits,
  type LoadedWorkflow,
} from '../workflows/index.ts';
import { CompiledWorkflow, WorkflowCatalog } from './catalog.ts';
import { systemClock, type Clock, type Random } from './clock.ts';
import { EngineEvents } from './events.ts';
import { EventIntake, type AcceptedEvent, type IntakeAudit, type Sender } from './intake.ts';
import type { Door } from './source-owners.ts';
import { RunsService } from './runs-service.ts';
import { routeEvent } from './router.ts';
import { simulateWorkflow, type SimulationResult } from './simulate.ts';
import type { StepRegistry } from './step-registry.ts';
import { Worker, type WorkerOptions } from './worker.ts';
import { Scheduler } from './scheduler.ts';

export interface EngineOptions {
  store: Store;
  steps: StepRegistry;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  maxEventBytes?: number;
  intakeBatch?: number;
  /** Values every expression can read as `vars`. */
  vars?: Record<string, unknown>;
  /** Bounds on every expression this engine evaluates (trigger filters, steps, outputs). */
  expressionLimits?: ExpressionLimits;
  worker?: Partial<WorkerOptions>;
  /**
   * Definitions kept in or beside the workflow folder (policies), loaded by loadWorkflows
   * before the workflows so that workflow checks can refer to them. Each reports its problems.
   */
  companions?: { loadFor(workflowsDir: string): DefinitionProblem[] }[];
  /** Told, inside the checkpoint's transaction, of the dead letters the workers open and the retried cases they close (the audit log). */
  caseEvents?: CaseEventSink;
  /** Chains each intake batch into the audit log, inside the intake's transaction. */
  intakeAudit?: IntakeAudit;
  /**
   * Whether a key conflict from this source opens an exception case (else it is only
   * recorded, counted and shown). Default: every source opens one.
   */
  keyConflictCase?: (source: string, door: Door) => boolean | Promise<boolean>;
}

export const DEFAULT_WORKER: WorkerOptions = {
  concurrency: 200,
  claimBatch: 100,
  leaseMs: 30_000,
  pollIntervalMs: 500,
  checkpointBatch: 500,
  checkpointLingerMs: 2,
  drainTimeoutMs: 5_000,
  stepLockWaitMs: 5_000,
};

/** The engine of one Crossdock instance: intake, runs, workers. Several may live in one process. */
export class Engine {
  readonly events = new EngineEvents();
  readonly catalog: WorkflowCatalog;
  readonly intake: EventIntake;
  readonly runs: RunsService;
  readonly store: Store;
  readonly steps: StepRegistry;
  readonly clock: Clock;
  readonly #random: Random;
  readonly #logger: Logger;
  readonly #workerOptions: WorkerOptions;
  readonly #workers: Worker[] = [];
  readonly #caseEvents: CaseEventSink | undefined;
  readonly scheduler: Scheduler;
  readonly vars: Record<string, unknown>;
  readonly expressionLimits: ExpressionLimits;
  /** Workflows that come with a connector (Odoo ingestion), installed next to the files. */
  #system: LoadedWorkflow[] = [];
  readonly #companions: NonNullable<EngineOptions['companions']>;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.steps = options.steps;
    this.clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? silentLogger();
    this.#workerOptions = { ...DEFAULT_WORKER, ...options.worker };
    this.vars = options.vars ?? {};
    this.expressionLimits = options.expressionLimits ?? DEFAULT_EXPRESSION_LIMITS;
    this.#companions = options.companions ?? [];
    this.#caseEvents = options.caseEvents;
    this.catalog = new WorkflowCatalog(this.store.db);
    this.intake = new EventIntake(
      this.store,
      this.catalog,
      this.clock,
      this.events,
      {
        maxEventBytes: options.maxEventBytes ?? 256 * 1024,
        maxBatch: options.intakeBatch ?? 500,
        expressionLimits: this.expressionLimits,
      },
      {
        ...(options.caseEvents ? { caseEvents: options.caseEvents } : {}),
        ...(options.intakeAudit ? { audit: options.intakeAudit } : {}),
        keyConflictCase: options.keyConflictCase ?? (() => true),
      },
      this.#random,
    );
    this.runs = new RunsService(this.store, this.clock, this.events, this.catalog, this.steps);
    this.scheduler = new Scheduler(
      this.catalog,
      (event) => this.intake.accept(event),
      this.clock,
      this.#logger,
    );
  }

  /** Loads and checks a workflow folder; throws WORKFLOWS_INVALID listing every problem. */
  async loadWorkflows(dir: string): Promise<LoadedWorkflow[]> {
    const companionProblems = this.#companions.flatMap((c) => c.loadFor(dir));
    const loaded = loadWorkflowDir(dir, this.steps);
    const result =
      companionProblems.length > 0
        ? {
            ok: false as const,
            problems: [...companionProblems, ...(loaded.ok ? [] : loaded.problems)],
          }
        : loaded;
    if (!result.ok) {
      throw new CrossdockError(
        'WORKFLOWS_INVALID',
        `${result.problems.length} problem(s) in the workflows under ${dir}`,
        {
          category: 'user',
          retryable: false,
          details: result.problems.map((p) => ({
            path: `${p.file}${p.line === null ? '' : `:${p.line}`}${p.path ? ` ${p.path}` : ''}`,
            message: p.message,
          })),
        },
      );
    }
    await this.catalog.install([...result.workflows, ...this.#system], this.clock.now());
    return result.workflows;
  }

  async installWorkflows(workflows: LoadedWorkflow[]): Promise<void> {
    await this.catalog.install([...workflows, ...this.#system], this.clock.now());
  }

  /** Adds connector workflows; they stay installed whenever the workflow files are (re)loaded. */
  async addSystemWorkflows(workflows: LoadedWorkflow[]): Promise<void> {
    const ids = new Set(workflows.map((w) => w.definition.id));
    this.#system = [...this.#system.filter((w) => !ids.has(w.definition.id)), ...workflows];
    const files = this.catalog
      .current()
      .filter((w) => !this.#system.some((s) => s.definition.id === w.id));
    await this.catalog.install(
      [
        ...files.map((w) => ({ definition: w.definition, hash: w.hash, file: w.file })),
        ...this.#system,
      ],
      this.clock.now(),
    );
  }

  /** `door`: the ingress it came through; omitted, it comes from code in this process (see source-owners.ts). */
  accept(event: unknown, door: Door = 'engine', sender?: Sender): Promise<AcceptedEvent> {
    return this.intake.accept(event, door, sender);
  }

  startWorkers(count = 1, overrides: Partial<WorkerOptions> = {}): Worker[] {
    const started: Worker[] = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(
        {
          store: this.store,
          catalog: this.catalog,
          steps: this.steps,
          clock: this.clock,
          random: this.#random,
          events: this.events,
          logger: this.#logger,
          vars: this.vars,
          expressionLimits: this.expressionLimits,
          accept: (event) => this.intake.accept(event),
          ...(this.#caseEvents ? { caseEvents: this.#caseEvents } : {}),
        },
        { ...this.#workerOptions, ...overrides },
      );
      worker.start();
      this.#workers.push(worker);
      started.push(worker);
    }
    this.scheduler.start(); // every worker process schedules; the slot key makes it fire once
    return started;
  }

  /** Wakes this process's workers now (after moving a test clock, say). */
  wake(): void {
    for (const worker of this.#workers) worker.wake(true);
  }

  async stopWorkers(): Promise<void> {
    this.scheduler.stop();
    await Promise.all(this.#workers.splice(0).map((w) => w.stop()));
  }

  /**
   * A dry run of the current version of a workflow against an event, or of `draft` (a checked
   * definition not stored yet: the editor's text) when given. Stores nothing.
   */
  async simulate(
    workflowId: string,
    eventInput: unknown,
    draft?: LoadedWorkflow,
  ): Promise<SimulationResult> {
    const workflow = draft
      ? new CompiledWorkflow(draft.definition, draft.hash, draft.file)
      : this.catalog.currentVersion(workflowId);
    if (!workflow)
      throw new CrossdockError('WORKFLOW_UNKNOWN', `No workflow "${workflowId}"`, {
        category: 'user',
        retryable: false,
      });
    const event = this.intake.validate(eventInput);
    const matches = (await routeEvent([workflow], event, this.expressionLimits)).length > 0;
    return simulateWorkflow(workflow, this.steps, event, matches, this.vars, this.expressionLimits);
  }
}
