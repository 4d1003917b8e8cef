import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { z } from 'zod';
import { actorName, Permission } from '../../auth/index.ts';
import type { Engine } from '../../engine/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { parseWorkflow } from '../../workflows/index.ts';
import { route } from '../route.ts';
import { saveWorkflowVersion } from '../workflow-drafts.ts';

/** The dashboard's workflow editor: a version's YAML, dry runs of a draft, saving a new version. */

export const YamlText = z.string().min(1).max(1_000_000);
const SaveBody = z.strictObject({
  yaml: YamlText,
  /** The version the text was edited from: saving is refused if another became current since. */
  baseVersion: z.string().min(1).max(200),
});

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
      const saved = await saveWorkflowVersion(services, {
        workflowId: params.id!,
        yaml: body.yaml,
        baseVersion: body.baseVersion,
        actor: actorName(principal!),
        requestId: request.id,
      });
      return saved.created ? reply.status(201).send(saved) : saved;
    },
  }),
];
