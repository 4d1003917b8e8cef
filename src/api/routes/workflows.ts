import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { CompiledWorkflow, type Engine } from '../../engine/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { definitionChanges, parseWorkflow } from '../../workflows/index.ts';
import { route } from '../route.ts';
import { checkDraft, loaded } from '../workflow-drafts.ts';
import { YamlText } from './workflow-edits.ts';

const SimulateBody = z.strictObject({
  event: z.unknown(),
  /** A workflow text not saved yet (the editor's): dry-run it instead of the current version. */
  yaml: YamlText.optional(),
});
const ValidateBody = z.strictObject({
  yaml: z.string().min(1).max(1_000_000),
  file: z.string().max(200).default('workflow.yaml'),
});

const summary = (w: CompiledWorkflow) => ({
  id: w.id,
  version: w.hash,
  label: w.definition.version ?? null,
  description: w.definition.description ?? null,
  file: w.file,
  trigger: w.definition.trigger ?? null,
  steps: w.definition.steps.length,
});

/** The step graph as nodes and edges, for rendering: default flow, chosen branches, error edges. */
function graph(engine: Engine, w: CompiledWorkflow) {
  const edges: { from: string; to: string; kind: 'next' | 'branch' | 'error' }[] = [];
  const nodes = w.definition.steps.map((step) => {
    const type = engine.steps.get(step.type);
    const next = w.defaultNext(step);
    if (next && !type?.rawConfig) edges.push({ from: step.id, to: next, kind: 'next' });
    let targets: string[];
    try {
      const config = type?.rawConfig ? step.with : type?.config.safeParse(step.with).data;
      targets = config === undefined ? [] : (type?.targets?.(config) ?? []);
    } catch {
      targets = [];
    }
    for (const to of new Set(targets)) edges.push({ from: step.id, to, kind: 'branch' });
    if (type?.rawConfig && next && !targets.includes(next))
      edges.push({ from: step.id, to: next, kind: 'next' });
    if (step.on_error) edges.push({ from: step.id, to: step.on_error, kind: 'error' });
    return {
      id: step.id,
      type: step.type,
      description: step.description ?? type?.description ?? null,
      sideEffect: type?.sideEffect ?? false,
      end: step.end === true,
    };
  });
  return { start: w.firstStepId, nodes, edges };
}

function current(engine: Engine, id: string): CompiledWorkflow {
  const w = engine.catalog.currentVersion(id);
  if (!w)
    throw new CrossdockError('WORKFLOW_UNKNOWN', `No workflow "${id}"`, {
      category: 'user',
      retryable: false,
    });
  return w;
}

/** The stored versions, newest first; an id with none was never loaded here. */
async function storedVersions(engine: Engine, id: string) {
  const versions = await engine.catalog.versions(id);
  if (versions.length === 0)
    throw new CrossdockError(
      'WORKFLOW_UNKNOWN',
      `No workflow "${id}": no version of it is stored`,
      { category: 'user', retryable: false },
    );
  return versions;
}

/** One stored version with its graph and what changed from the version stored before it. */
async function versionDetail(engine: Engine, id: string, hash: string) {
  const versions = await storedVersions(engine, id);
  const at = versions.findIndex((v) => v.hash === hash);
  const stored = versions[at];
  if (!stored) {
    throw new CrossdockError(
      'WORKFLOW_VERSION_UNKNOWN',
      `Workflow "${id}" has no stored version "${hash}"; GET /api/v1/workflows/${id}/versions lists them`,
      { category: 'user', retryable: false },
    );
  }
  const w = await engine.catalog.get(id, hash);
  const before = versions[at + 1];
  const previous = before ? await engine.catalog.get(id, before.hash) : null;
  return {
    ...summary(w),
    definition: w.definition,
    graph: graph(engine, w),
    current: stored.current,
    createdAt: stored.createdAt,
    runs: stored.runs,
    previous: before
      ? { version: before.hash, label: before.label, createdAt: before.createdAt }
      : null,
    changes: previous ? definitionChanges(previous.definition, w.definition) : null,
  };
}

export const workflowRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/workflows',
    tag: 'workflows',
    access: Permission.workflowsRead,
    summary: 'The current version of each workflow',
    handler: async ({ services }) => ({
      workflows: services.engine.catalog.current().map(summary),
    }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/workflows/:id',
    tag: 'workflows',
    access: Permission.workflowsRead,
    summary: 'One workflow: its definition and its step graph',
    handler: async ({ services, params }) => {
      const w = current(services.engine, params.id!);
      return { ...summary(w), definition: w.definition, graph: graph(services.engine, w) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/workflows/:id/versions',
    tag: 'workflows',
    access: Permission.workflowsRead,
    summary:
      'Every stored version of a workflow, newest first: hash, label, when stored, file, whether current, runs pinned to it (retired workflows too)',
    handler: async ({ services, params }) => ({
      id: params.id!,
      versions: await storedVersions(services.engine, params.id!),
    }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/workflows/:id/versions/:hash',
    tag: 'workflows',
    access: Permission.workflowsRead,
    summary:
      'One stored version: its definition and step graph, whether it is current, and what changed from the version before it',
    handler: async ({ services, params }) =>
      versionDetail(services.engine, params.id!, params.hash!),
  }),
  route({
    method: 'POST',
    path: '/api/v1/workflows/validate',
    tag: 'workflows',
    access: Permission.workflowsSimulate,
    body: ValidateBody,
    summary:
      'Check a workflow file (YAML text) with the loader `crossdock validate` uses: ok with its version hash and step graph, or every problem with its line and path',
    handler: async ({ services, body }) => {
      const result = parseWorkflow(body.yaml, body.file, services.engine.steps);
      return result.ok
        ? {
            ok: true,
            workflows: result.workflows.map((w) => ({
              id: w.definition.id,
              version: w.hash,
              graph: graph(services.engine, new CompiledWorkflow(w.definition, w.hash, w.file)),
            })),
          }
        : { ok: false, problems: result.problems };
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/workflows/:id/simulate',
    tag: 'workflows',
    access: Permission.workflowsSimulate,
    body: SimulateBody,
    summary:
      'Dry run of the current version (or of `yaml`, a text not saved yet) against an event: the steps it would take; stores nothing, calls nothing. 400 WORKFLOWS_INVALID with line and path when `yaml` is not valid',
    handler: async ({ services, params, body }) => {
      if (body.yaml === undefined) return services.engine.simulate(params.id!, body.event);
      const file = loaded(services.engine, params.id!).file ?? `${params.id}.yaml`;
      const draft = checkDraft(services.engine, params.id!, body.yaml, file);
      return services.engine.simulate(params.id!, body.event, draft);
    },
  }),
];
