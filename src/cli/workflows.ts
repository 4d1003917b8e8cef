import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { SavedVersion } from '../api/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import type { Flags } from './flags.ts';
import { cliActor, directOrRemote } from './operations.ts';
import { usageError, type Output } from './output.ts';

const USAGE = `usage: crossdock workflows save <file.yaml> [--base <version>] [--workflow <id>]
  saves the file's text as a new version of the workflow it names (its id, or --workflow), as the
  dashboard's editor does: checked first (each problem's line and path), current for new runs
  from then on, audited. --base: the version the text was edited from; refused if another became
  current since. Without it, the version current when the command runs is the base.`;

/** `crossdock workflows save ...`: the editor's save from a terminal, through a running instance or on the store. */
export async function workflowsCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  const [sub, file, ...extra] = rest;
  if (sub !== 'save' || !file || extra.length > 0) throw usageError(USAGE);
  const yaml = readText(file);
  const id = flags.workflow ?? idOf(yaml, file);
  const path = `/api/v1/workflows/${encodeURIComponent(id)}`;
  return directOrRemote(
    config,
    flags.api,
    async (crossdock) => {
      await crossdock.engine.loadWorkflows(config.workflowsDir); // the current versions, edits included
      const { saveWorkflowVersion } = await import('../api/index.ts');
      const base = flags.base ?? crossdock.engine.catalog.currentVersion(id)?.hash ?? '';
      const saved = await saveWorkflowVersion(crossdock.services, {
        workflowId: id,
        yaml,
        baseVersion: base,
        actor: cliActor(),
      });
      return printSaved(saved, file, out);
    },
    async (call) => {
      const base = flags.base ?? (await call<{ version: string }>('GET', path)).version;
      return printSaved(
        await call<SavedVersion>('POST', `${path}/versions`, { yaml, baseVersion: base }),
        file,
        out,
      );
    },
    (url) => out.info(`using the API at ${url}`),
  );
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The workflow the file names (its top-level `id`), read even from a text with other faults. */
function idOf(text: string, file: string): string {
  let id: unknown;
  try {
    id = parseDocument(text).get('id');
  } catch {
    id = undefined;
  }
  if (typeof id !== 'string' || id === '')
    throw usageError(`${file} names no workflow (no top-level id): give --workflow <id>`);
  return id;
}

function printSaved(saved: SavedVersion, file: string, out: Output): number {
  out.result(saved, () =>
    saved.created
      ? `${saved.version}\nsaved ${file} as version ${saved.version} of ${saved.id} (was ${saved.previous}); new runs take it`
      : `${saved.version}\n${file} is the current version of ${saved.id} already; nothing saved`,
  );
  return 0;
}
