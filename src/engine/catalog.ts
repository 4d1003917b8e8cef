import type { Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import {
  findWorkflowVersion,
  listWorkflowEdits,
  listWorkflowVersions,
  saveWorkflowEdit,
  saveWorkflowVersions,
  type Database,
  type WorkflowEdit,
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
  /** Saved from the dashboard's editor (its text is stored), not loaded from a file. */
  edited: boolean;
}

/** What saving a version from the editor changed. */
export interface SavedEdit {
  workflowId: string;
  /** The version current before, and the one current now. */
  from: string;
  to: string;
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
 *
 * A version saved from the editor (`saveEdit`) becomes current at once in this process, in
 * others at their next `syncEdits` (the scheduler's, every few seconds), and after a restart
 * for as long as the files still hold the version it was edited from (`base`): a changed
 * file, a deployment, supersedes the edits. Runs keep the version they started with.
 */
export class WorkflowCatalog {
  #current = new Map<string, CompiledWorkflow>();
  readonly #byVersion = new Map<string, CompiledWorkflow>();
  /** Per workflow, the version its file (or connector) holds: what edits are based on. */
  #base = new Map<string, string>();

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
    const edits = await listWorkflowEdits(this.db);
    const current = new Map<string, CompiledWorkflow>();
    const base = new Map<string, string>();
    for (const w of workflows) {
      const compiled = new CompiledWorkflow(w.definition, w.hash, w.file);
      current.set(compiled.id, compiled);
      this.#byVersion.set(`${compiled.id}@${compiled.hash}`, compiled);
      // Installing the current set again (connector workflows added) passes edited versions:
      // their base stays the file's.
      const edit = edits.find((e) => e.workflowId === compiled.id && e.hash === compiled.hash);
      base.set(compiled.id, edit ? edit.baseHash : compiled.hash);
    }
    this.#current = current;
    this.#base = base;
    await this.#applyEdits(edits);
  }

  /** Takes the versions other processes saved from the editor since this one last looked. */
  async syncEdits(): Promise<void> {
    await this.#applyEdits(await listWorkflowEdits(this.db));
  }

  async #applyEdits(edits: WorkflowEdit[]): Promise<void> {
    for (const edit of edits) {
      if (this.#base.get(edit.workflowId) !== edit.baseHash) continue; // superseded by the files
      if (this.#current.get(edit.workflowId)?.hash === edit.hash) continue;
      this.#current.set(edit.workflowId, await this.get(edit.workflowId, edit.hash));
    }
  }

  /**
   * Stores `workflow` (checked, with its YAML text) as a new version and makes it current;
   * `alsoInTransaction` writes the audit entry in the same transaction. Runs already started
   * keep their version; runs started from now on take this one.
   */
  async saveEdit(
    workflow: LoadedWorkflow,
    sourceText: string,
    savedBy: string,
    now: Date,
    alsoInTransaction: (tx: Kysely<Database>) => Promise<void>,
  ): Promise<SavedEdit> {
    const id = workflow.definition.id;
    const before = this.#current.get(id);
    const base = this.#base.get(id);
    if (!before || base === undefined)
      throw new CrossdockError('WORKFLOW_UNKNOWN', `No workflow "${id}" is loaded to edit`, {
        category: 'user',
        retryable: false,
      });
    try {
      await saveWorkflowEdit(
        this.db,
        {
          workflowId: id,
          hash: workflow.hash,
          definition: workflow.definition,
          sourceFile: before.file,
          sourceText,
        },
        { workflowId: id, baseHash: base, hash: workflow.hash, savedBy, savedAt: now },
        before.hash,
        alsoInTransaction,
      );
    } catch (error) {
      // Saved elsewhere since: take that version, so the caller's reload shows it.
      if ((error as { code?: string }).code === 'WORKFLOW_VERSION_CONFLICT') await this.syncEdits();
      throw error;
    }
    const compiled = new CompiledWorkflow(workflow.definition, workflow.hash, before.file);
    this.#byVersion.set(`${id}@${workflow.hash}`, compiled);
    this.#current.set(id, compiled);
    return { workflowId: id, from: before.hash, to: workflow.hash };
  }

  /** The YAML text a version was saved as in the editor; null for versions loaded from files. */
  async sourceText(workflowId: string, hash: string): Promise<string | null> {
    return (await findWorkflowVersion(this.db, workflowId, hash))?.source_text ?? null;
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
      edited: r.edited === true,
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
