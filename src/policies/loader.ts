import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { contentHash } from '../workflows/index.ts';
import { checkPolicyText, type PolicyProblem } from './check.ts';
import type { JdmContent } from './jdm.ts';

/** A policy as loaded: id (the file name), version (content hash), where it came from. */
export interface PolicyFile {
  id: string;
  version: string;
  file: string | null;
  content: JdmContent;
}

export type PolicyLoad =
  { ok: true; policies: PolicyFile[] } | { ok: false; problems: PolicyProblem[] };

const ID = /^[a-z0-9][a-z0-9_.-]*$/i;

/**
 * Where the policies of a workflow folder live: every folder named `policies` inside it
 * (packs/<pack>/policies when the folder is packs/), and, when the folder is named
 * `workflows`, the `policies` folder beside it (examples/policies for examples/workflows,
 * packs/<pack>/policies for packs/<pack>/workflows). Only a folder named `workflows` looks
 * beside itself, so `--workflows .` never reads a `../policies` that belongs to something else.
 */
export function policyDirsFor(workflowsDir: string): string[] {
  const inside =
    existsSync(workflowsDir) && statSync(workflowsDir).isDirectory()
      ? findPolicyDirs(workflowsDir)
      : [];
  const beside = join(dirname(resolve(workflowsDir)), 'policies');
  const looksBeside =
    basename(resolve(workflowsDir)) === 'workflows' &&
    existsSync(beside) &&
    statSync(beside).isDirectory();
  const dirs = looksBeside ? [beside, ...inside] : inside;
  return [...new Set(dirs.map((d) => resolve(d)))].map((d) => relative(process.cwd(), d) || d);
}

function findPolicyDirs(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (!statSync(path).isDirectory()) return [];
      return name === 'policies' ? [path] : findPolicyDirs(path);
    });
}

/** Loads every *.json file of the given folders (not recursive); all problems are reported. */
export function loadPolicyDirs(dirs: string[]): PolicyLoad {
  const policies: PolicyFile[] = [];
  const problems: PolicyProblem[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort();
    } catch (error) {
      problems.push({
        file: dir,
        line: null,
        path: '',
        message: `cannot read folder: ${(error as Error).message}`,
      });
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const result = parsePolicy(readFileSync(path, 'utf8'), relative(process.cwd(), path) || path);
      if (result.ok) policies.push(...result.policies);
      else problems.push(...result.problems);
    }
  }
  const seen = new Map<string, string>();
  for (const policy of policies) {
    const other = seen.get(policy.id);
    if (other !== undefined)
      problems.push({
        file: policy.file ?? '',
        line: null,
        path: '',
        message: `policy id "${policy.id}" is also defined in ${other}`,
      });
    seen.set(policy.id, policy.file ?? '');
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policies };
}

/** Checks one policy file's text; its id is the file name without `.json`. */
export function parsePolicy(
  text: string,
  file: string,
  id = basename(file).replace(/\.json$/, ''),
): PolicyLoad {
  if (!ID.test(id))
    return {
      ok: false,
      problems: [
        {
          file,
          line: null,
          path: '',
          message: `policy id "${id}" (the file name): use letters, digits, "_", "-" and "."`,
        },
      ],
    };
  const checked = checkPolicyText(text, file);
  if (!checked.ok) return checked;
  return {
    ok: true,
    policies: [{ id, version: contentHash(checked.content), file, content: checked.content }],
  };
}
