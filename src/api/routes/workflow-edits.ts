import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { z } from 'zod';
import { actorName, Permission } from '../../auth/index.ts';
import type { CompiledWorkflow, Engine } from '../../engine/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import {
  parseWorkflow,
  type DefinitionProblem,
  type LoadedWorkflow,
} from '../../workflows/index.ts';
import { route } from '../route.ts';

/** The dashboard's workflow editor: a version's YAML, dry runs of a draft, saving a new version. */

export const YamlText = z.string().min(1).max(1_000_000);
const SaveBody = z.strictObject({
  yaml: YamlText,
  /** The version the text was edited from: saving is refused if another became current since. */
  baseVersion: z.string().min(1).max(200),
});

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

/** Checks the text with the loader `crossdock validate` uses; 400 naming each problem's line and path. */
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

/**
 * A version's YAML: the text it was saved as in the editor; else its file's text while the
 * file still holds this version (comments kept); else the stored definition written as YAML.
 */
async function versionYaml(engine: Engine, id: string, hash: string) {
  const w = await engine.catalog.get(id, hash);
  const saved = await engine.catalog.sourceText(id, hash);
  if (saved !== null)
    return { id, version: hash, file: w.file, source: 'editor' as const, yaml: saved };
  if (w.file) {
    // Only a file that still loads to this very version is shown: a path in the store can
    // reveal no other file.
    const text = await readFile(w.file, 'utf8').catch(() => null);
    const parsed = text === null ? null : parseWorkflow(text, w.file, engine.steps);
    if (text !== null && parsed?.ok && parsed.workflows[0]?.hash === hash)
      return { id, version: hash, file: w.file, source: 'file' as const, yaml: text };
  }
  return {
    id,
    version: hash,
    file: w.file,
    source: 'definition' as const,
    yaml: stringify(w.definition),
  };
}

export const workflowEditRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/workflows/:id/versions/:hash/yaml',
    tag: 'workflows',
    access: Permission.workflowsRead,
    summary:
      "A version's YAML text: as saved in the editor, else its file's text while the file holds it, else its definition written as YAML (`source` says which)",
    handler: async ({ services, params }) => {
      await services.engine.catalog.versions(params.id!).then((all) => {
        if (!all.some((v) => v.hash === params.hash))
          throw new CrossdockError(
            'WORKFLOW_VERSION_UNKNOWN',
            `Workflow "${params.id}" has no stored version "${params.hash}"; GET /api/v1/workflows/${params.id}/versions lists them`,
            { category: 'user', retryable: false },
          );
      });
      return versionYaml(services.engine, params.id!, params.hash!);
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/workflows/:id/versions',
    tag: 'workflows',
    access: Permission.workflowsWrite,
    body: SaveBody,
    summary:
      'Save a workflow text as a new version, current from now on: new runs take it, running runs keep theirs. 400 WORKFLOWS_INVALID with line and path, 409 WORKFLOW_VERSION_CONFLICT when another version became current since `baseVersion`. Audited',
    auditedInTransaction: true,
    handler: async ({ services, params, body, principal, request, reply }) => {
      const engine = services.engine;
      const current = loaded(engine, params.id!);
      const draft = checkDraft(engine, params.id!, body.yaml, current.file ?? `${params.id}.yaml`);
      if (body.baseVersion !== current.hash)
        throw new CrossdockError(
          'WORKFLOW_VERSION_CONFLICT',
          `Workflow "${params.id}" is at version ${current.hash.slice(0, 12)} now, not ${body.baseVersion.slice(0, 12)}: reload it and apply the change again`,
          { category: 'user', retryable: false },
        );
      // The same content as the current version: nothing to store (200, created false).
      if (draft.hash === current.hash)
        return { id: params.id!, version: current.hash, previous: current.hash, created: false };
      const actor = actorName(principal!);
      const saved = await engine.catalog.saveEdit(
        draft,
        body.yaml,
        actor,
        engine.clock.now(),
        (tx) =>
          services.audit
            .append(
              {
                actor,
                action: 'workflow.version.save',
                target: `workflow:${params.id}`,
                details: {
                  from: current.hash,
                  to: draft.hash,
                  label: draft.definition.version ?? null,
                  textSha256: createHash('sha256').update(body.yaml).digest('hex'),
                  textBytes: Buffer.byteLength(body.yaml),
                },
                requestId: request.id,
              },
              tx,
            )
            .then(() => undefined),
      );
      return reply
        .status(201)
        .send({ id: saved.workflowId, version: saved.to, previous: saved.from, created: true });
    },
  }),
];
