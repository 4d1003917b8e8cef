import type { Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import {
  findWorkflowVersion,
  listWorkflowVersions,
  saveWorkflowVersions,
  type Database,
} from '../store/index.ts';
import {
  WorkflowSchema,
  type LoadedWorkflow,
  type StepDefinition,
  type WorkflowDefinition,
} from '../workflows/index.ts';

/** One stored version of a workflow, as the versions list shows it. */
export interface StoredVersion {
  hash: string;
  /** The definition's `version:` label, if it has one. */
  label: string | number | null;
  /** When this store first recorded the version (loading the same content again keeps it). */
  createdAt: string;
  file: string | null;
  /** Whether this process has it loaded as the workflow's current version. */
  current: boolean;
  /** Runs pinned to this version, whatever their status. */
  runs: number;
}

/** A workflow version ready to run: steps by id and the default edges resolved. */
export class CompiledWorkflow {
  readonly id: string;
  readonly stepsById = new Map<string, StepDefinition>();
  readonly #following = new Map<string, string | null>();

  constructor(
    readonly definition: WorkflowDefinition,
    readonly hash: string,
    readonly file: string | null,
  ) {
    this.id = definition.id;
    definition.steps.forEach((step, i) => {
      this.stepsById.set(step.id, step);
      this.#following.set(step.id, definition.steps[i + 1]?.id ?? null);
    });
  }

  get firstStepId(): string {
    return this.definition.steps[0]!.id;
  }

  /** Where something in this workflow is, for errors: `packs/dispatch/workflow.yaml steps[3].with`. */
  where(path: string): string {
    return this.file === null ? `${this.id}: ${path}` : `${this.file} ${path}`;
  }

  /** The path of a step's `with:` block in the file. */
  stepWhere(step: StepDefinition): string {
    return this.where(`steps[${this.definition.steps.indexOf(step)}].with`);
  }

  /** Where a step goes when it completes without choosing: `next`, else the following step, else the end. */
  defaultNext(step: StepDefinition): string | null {
    if (step.end) return null;
    return step.next ?? this.#following.get(step.id) ?? null;
  }
}

/**
 * The workflow versions this instance knows. `install` records each loaded definition
 * by content hash before any run can be pinned to it; `get` finds the exact version a
 * run was started with, even after the files have changed.
 */
export class WorkflowCatalog {
  #current = new Map<string, CompiledWorkflow>();
  readonly #byVersion = new Map<string, CompiledWorkflow>();

  constructor(private readonly db: Kysely<Database>) {}

  async install(workflows: LoadedWorkflow[], now: Date): Promise<void> {
    await saveWorkflowVersions(
      this.db,
      workflows.map((w) => ({
        workflowId: w.definition.id,
        hash: w.hash,
        definition: w.definition,
        sourceFile: w.file,
      })),
      now,
    );
    const current = new Map<string, CompiledWorkflow>();
    for (const w of workflows) {
      const compiled = new CompiledWorkflow(w.definition, w.hash, w.file);
      current.set(compiled.id, compiled);
      this.#byVersion.set(`${compiled.id}@${compiled.hash}`, compiled);
    }
    this.#current = current;
  }

  current(): CompiledWorkflow[] {
    return [...this.#current.values()];
  }

  currentVersion(workflowId: string): CompiledWorkflow | undefined {
    return this.#current.get(workflowId);
  }

  /**
   * Every stored version of a workflow, newest first (by when this store first saw it), with
   * the number of runs pinned to each. Empty for an id that was never loaded; a workflow no
   * longer loaded (retired) still lists its versions, none of them current.
   */
  async versions(workflowId: string): Promise<StoredVersion[]> {
    const rows = await listWorkflowVersions(this.db, workflowId);
    const current = this.#current.get(workflowId)?.hash;
    return rows.map((r) => ({
      hash: r.hash,
      label: r.label ?? null,
      createdAt: new Date(r.created_at).toISOString(),
      file: r.source_file,
      current: r.hash === current,
      runs: Number(r.runs ?? 0),
    }));
  }

  async get(workflowId: string, hash: string): Promise<CompiledWorkflow> {
    const key = `${workflowId}@${hash}`;
    const cached = this.#byVersion.get(key);
    if (cached) return cached;
    const row = await findWorkflowVersion(this.db, workflowId, hash);
    if (!row) {
      throw new CrossdockError(
        'WORKFLOW_VERSION_MISSING',
        `Workflow ${workflowId} version ${hash} is not in the store`,
        { category: 'bug' },
      );
    }
    const compiled = new CompiledWorkflow(
      WorkflowSchema.parse(row.definition),
      hash,
      row.source_file,
    );
    this.#byVersion.set(key, compiled);
    return compiled;
  }
}
