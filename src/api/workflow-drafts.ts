import { createHash } from 'node:crypto';
import type { CompiledWorkflow, Engine } from '../engine/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { parseWorkflow, type DefinitionProblem, type LoadedWorkflow } from '../workflows/index.ts';
import type { ApiServices } from './services.ts';

/**
 * A workflow text checked as a draft of a loaded workflow, and saved as its new version:
 * the one path the dashboard's editor (through the API) and `crossdock workflows save` take.
 */

/** The current version of a loaded workflow; WORKFLOW_UNKNOWN otherwise. */
export function loaded(engine: Engine, id: string): CompiledWorkflow {
  const w = engine.catalog.currentVersion(id);
  if (!w)
    throw new CrossdockError('WORKFLOW_UNKNOWN', `No workflow "${id}" is loaded`, {
      category: 'user',
      retryable: false,
    });
  return w;
}

/** Each problem as `file:line path: message`, as `crossdock validate` and loading say them. */
const problemDetails = (problems: DefinitionProblem[]) =>
  problems.map((p) => ({
    path: `${p.file}${p.line === null ? '' : `:${p.line}`}${p.path ? ` ${p.path}` : ''}`,
    message: p.message,
  }));

/** Checks the text with the loader `crossdock validate` uses; WORKFLOWS_INVALID naming each problem's line and path. */
export function checkDraft(engine: Engine, id: string, text: string, file: string): LoadedWorkflow {
  const result = parseWorkflow(text, file, engine.steps);
  if (!result.ok)
    throw new CrossdockError(
      'WORKFLOWS_INVALID',
      `${result.problems.length} problem(s) in the workflow text`,
      { category: 'user', retryable: false, details: problemDetails(result.problems) },
    );
  const workflow = result.workflows[0]!;
  if (workflow.definition.id !== id)
    throw new CrossdockError('WORKFLOWS_INVALID', 'The workflow text names another workflow', {
      category: 'user',
      retryable: false,
      details: [
        {
          path: `${file} id`,
          message: `is "${workflow.definition.id}"; this is workflow "${id}" (a new id is a new workflow, added as a file)`,
        },
      ],
    });
  return workflow;
}

export interface SaveVersionRequest {
  workflowId: string;
  yaml: string;
  /** The version the text was edited from: saving is refused if another became current since. */
  baseVersion: string;
  /** Who saves it, as the audit log names them. */
  actor: string;
  requestId?: string | null;
}

export interface SavedVersion {
  id: string;
  version: string;
  previous: string;
  /** False when the text is the current version already: nothing was stored or audited. */
  created: boolean;
}

/**
 * Saves a workflow text as a new version, current from now on (new runs take it; running
 * runs keep theirs). Refused with WORKFLOWS_INVALID (each problem's line and path) before
 * anything is stored, and with WORKFLOW_VERSION_CONFLICT when another version became current
 * since `baseVersion` (checked here, and again by the store in the save's transaction). The
 * audit entry `workflow.version.save` commits in the save's transaction.
 */
export async function saveWorkflowVersion(
  services: Pick<ApiServices, 'engine' | 'audit'>,
  request: SaveVersionRequest,
): Promise<SavedVersion> {
  const { engine } = services;
  const id = request.workflowId;
  const current = loaded(engine, id);
  const draft = checkDraft(engine, id, request.yaml, current.file ?? `${id}.yaml`);
  if (request.baseVersion !== current.hash)
    throw new CrossdockError(
      'WORKFLOW_VERSION_CONFLICT',
      `Workflow "${id}" is at version ${current.hash.slice(0, 12)} now, not ${request.baseVersion.slice(0, 12)}: reload it and apply the change again`,
      { category: 'user', retryable: false },
    );
  // The same content as the current version: nothing to store.
  if (draft.hash === current.hash)
    return { id, version: current.hash, previous: current.hash, created: false };
  const saved = await engine.catalog.saveEdit(
    draft,
    request.yaml,
    request.actor,
    engine.clock.now(),
    (tx) =>
      services.audit
        .append(
          {
            actor: request.actor,
            action: 'workflow.version.save',
            target: `workflow:${id}`,
            details: {
              from: current.hash,
              to: draft.hash,
              label: draft.definition.version ?? null,
              textSha256: createHash('sha256').update(request.yaml).digest('hex'),
              textBytes: Buffer.byteLength(request.yaml),
            },
            requestId: request.requestId ?? null,
          },
          tx,
        )
        .then(() => undefined),
  );
  return { id: saved.workflowId, version: saved.to, previous: saved.from, created: true };
}
