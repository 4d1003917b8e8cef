import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { compileExpression, collectExpressions } from './expressions.ts';
import { WorkflowSchema, type LoadedWorkflow, type WorkflowDefinition } from './definition.ts';
import type { StepType } from './step-type.ts';
import { quickYaml } from './yaml-quick.ts';

export interface DefinitionProblem {
  file: string;
  line: number | null;
  /** Dotted path inside the file, e.g. steps[2].with.url */
  path: string;
  message: string;
}

export type LoadResult =
  { ok: true; workflows: LoadedWorkflow[] } | { ok: false; problems: DefinitionProblem[] };

export interface StepTypeLookup {
  get(type: string): StepType<unknown> | undefined;
  types(): string[];
}

type Path = (string | number)[];

/** Loads every *.yaml / *.yml file under a folder; all problems of all files are reported. */
export function loadWorkflowDir(dir: string, stepTypes: StepTypeLookup): LoadResult {
  let files: string[];
  try {
    files = listYamlFiles(dir);
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          file: dir,
          line: null,
          path: '',
          message: `cannot read folder: ${(error as Error).message}`,
        },
      ],
    };
  }
  const workflows: LoadedWorkflow[] = [];
  const problems: DefinitionProblem[] = [];
  for (const file of files) {
    const result = parseWorkflow(
      readFileSync(file, 'utf8'),
      relative(process.cwd(), file) || file,
      stepTypes,
    );
    if (result.ok) workflows.push(...result.workflows);
    else problems.push(...result.problems);
  }
  const seen = new Map<string, string>();
  for (const wf of workflows) {
    const other = seen.get(wf.definition.id);
    if (other)
      problems.push({
        file: wf.file ?? '',
        line: null,
        path: 'id',
        message: `workflow id "${wf.definition.id}" is also defined in ${other}`,
      });
    seen.set(wf.definition.id, wf.file ?? '');
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, workflows };
}

function listYamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listYamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/** Parses and checks one workflow file's text. */
export function parseWorkflow(text: string, file: string, stepTypes: StepTypeLookup): LoadResult {
  // A valid file is read once, by the faster parser; one with a problem, or one it cannot
  // vouch for, again by `yaml`, which gives each problem its line.
  const quick = quickYaml(text);
  if (quick !== undefined) {
    const parsed = WorkflowSchema.safeParse(quick);
    if (parsed.success && checkSteps(parsed.data, stepTypes).length === 0)
      return loaded(parsed.data, file);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const locate = (path: Path) => lineOf(doc, lineCounter, path);
  const parsed = WorkflowSchema.safeParse(doc.toJS());
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error, [], file, locate) };
  const problems = checkSteps(parsed.data, stepTypes).map((p) => ({
    file,
    line: locate(p.path),
    path: formatPath(p.path),
    message: p.message,
  }));
  if (problems.length > 0) return { ok: false, problems };
  return loaded(parsed.data, file);
}

const loaded = (definition: WorkflowDefinition, file: string): LoadResult => ({
  ok: true,
  workflows: [{ definition, hash: contentHash(definition), file }],
});

/** Step types, step `with:` blocks, expressions and the graph's edges. */
function checkSteps(
  wf: WorkflowDefinition,
  stepTypes: StepTypeLookup,
): { path: Path; message: string }[] {
  const problems: { path: Path; message: string }[] = [];
  const ids = new Set<string>();
  wf.steps.forEach((step, i) => {
    if (ids.has(step.id))
      problems.push({ path: ['steps', i, 'id'], message: `step id "${step.id}" is used twice` });
    ids.add(step.id);
  });
  const edge = (target: string | undefined, path: Path) => {
    if (target !== undefined && !ids.has(target))
      problems.push({ path, message: `no step with id "${target}"` });
  };
  wf.steps.forEach((step, i) => {
    edge(step.next, ['steps', i, 'next']);
    edge(step.on_error, ['steps', i, 'on_error']);
    const type = stepTypes.get(step.type);
    if (!type) {
      problems.push({
        path: ['steps', i, 'type'],
        message: `unknown step type "${step.type}"; known types: ${stepTypes.types().join(', ')}`,
      });
      return;
    }
    for (const expr of collectExpressions(step.with, ['steps', i, 'with'])) {
      try {
        compileExpression(expr.source);
      } catch (error) {
        problems.push({ path: expr.path, message: (error as Error).message });
      }
    }
    const config = type.config.safeParse(step.with);
    if (!config.success) {
      for (const issue of config.error.issues) {
        problems.push({
          path: ['steps', i, 'with', ...(issue.path as Path)],
          message: issue.message,
        });
      }
      return;
    }
    for (const target of type.targets?.(config.data) ?? []) edge(target, ['steps', i, 'with']);
    const unsafe =
      type.sideEffect && step.safe_to_repeat !== true
        ? (type.unsafeToRepeat?.(config.data) ?? null)
        : null;
    if (unsafe !== null) {
      problems.push({
        path: ['steps', i],
        message: `step "${step.id}" is not safe to repeat: ${unsafe}. Make it idempotent, or mark the step \`safe_to_repeat: true\` if acting twice is harmless`,
      });
    }
    for (const found of type.check?.(config.data) ?? [])
      problems.push({ path: ['steps', i, 'with', ...found.path], message: found.message });
  });
  return problems;
}

function zodProblems(
  error: z.ZodError,
  prefix: Path,
  file: string,
  locate: (p: Path) => number | null,
): DefinitionProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as Path)];
    return { file, line: locate(path), path: formatPath(path), message: issue.message };
  });
}

/** The line of the deepest node on `path` that exists in the document (1-based). */
function lineOf(doc: Document, counter: LineCounter, path: Path): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    // For a missing key this is the collection that should hold it.
    if (range) return counter.linePos(range[0]).line;
  }
  return null;
}

export function formatPath(path: Path): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  );
}

/** sha256 of the definition in canonical JSON (sorted keys), so formatting does not change it. */
export function contentHash(definition: unknown): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted at every level: equal definitions give equal text, whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
