import { useEffect, useId, useRef, useState } from 'react';
import { post } from '../api.ts';
import { Graph, pathTaken, type WorkflowGraph } from '../components/Graph.tsx';
import { ErrorNote, Loading, Section } from '../components/ui.tsx';
import { YamlEditor, type TextProblem } from '../components/YamlEditor.tsx';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';
import { versionName, versionPath, workflowPath, type WorkflowDetail } from '../versions.ts';
import { DryRunForm, type Simulation } from './DryRunForm.tsx';

/** How long the text rests before it is checked again (the server's loader, as `crossdock validate`). */
const CHECK_AFTER_MS = 300;

interface VersionText {
  version: string;
  file: string | null;
  source: 'editor' | 'file' | 'definition';
  yaml: string;
}
type Validation =
  | { ok: true; workflows: { id: string; version: string; graph: WorkflowGraph }[] }
  | { ok: false; problems: (TextProblem & { file: string })[] };
type Check =
  | { state: 'checking' }
  | { state: 'valid'; version: string; graph: WorkflowGraph }
  | { state: 'invalid'; problems: TextProblem[] }
  | { state: 'failed'; error: unknown };
interface Saved {
  version: string;
  previous: string;
}

/** The current version of a workflow as YAML, checked as it is typed, dry-run and saved as a new version. */
export function WorkflowEditorScreen({ id }: { id: string }) {
  const [saved, setSaved] = useState<Saved | null>(null);
  const current = useGet<WorkflowDetail>(workflowPath(id));
  const version = current.data?.version ?? null;
  const text = useGet<VersionText>(version ? `${versionPath(id, version)}/yaml` : null);
  return (
    <>
      <div className="page-head">
        <h1>Edit workflow {id}</h1>
        <Link to={workflowPath(id)}>Versions and runs</Link>
      </div>
      {saved && (
        <p className="verify ok" role="status" data-saved={saved.version}>
          Saved as version {saved.version.slice(0, 12)} (was {saved.previous.slice(0, 12)}): runs
          started from now on use it; runs already started keep their version.
        </p>
      )}
      <ErrorNote error={current.error ?? text.error} />
      {(!current.data || !text.data) && !current.error && !text.error && (
        <Loading what="the workflow's current version" />
      )}
      {current.data && text.data && text.data.version === current.data.version && (
        <Editor
          key={current.data.version}
          detail={current.data}
          text={text.data}
          onSaved={(s) => {
            setSaved(s);
            current.reload();
          }}
        />
      )}
    </>
  );
}

function Editor({
  detail,
  text,
  onSaved,
}: {
  detail: WorkflowDetail;
  text: VersionText;
  onSaved: (saved: Saved) => void;
}) {
  const can = useCan();
  const writable = can('workflows:write');
  const checkable = can('workflows:simulate');
  const noteId = useId();
  const [yaml, setYaml] = useState(text.yaml);
  const [check, setCheck] = useState<Check>({
    state: 'valid',
    version: detail.version,
    graph: detail.graph,
  });
  const [lastGraph, setLastGraph] = useState<WorkflowGraph>(detail.graph);
  const [dryRun, setDryRun] = useState<Simulation | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const seq = useRef(0);
  const changed = yaml !== text.yaml;

  useEffect(() => {
    const mine = ++seq.current; // an answer to an older text is dropped
    if (!changed || !checkable) return;
    setCheck({ state: 'checking' });
    const timer = setTimeout(() => {
      post<Validation>('/workflows/validate', {
        yaml,
        file: text.file ?? `${detail.id}.yaml`,
      }).then(
        (result) => mine === seq.current && setCheck(toCheck(result, detail.id)),
        (error: unknown) => mine === seq.current && setCheck({ state: 'failed', error }),
      );
    }, CHECK_AFTER_MS);
    return () => clearTimeout(timer);
  }, [yaml, changed, checkable, detail.id, text.file]);
  useEffect(() => {
    if (check.state === 'valid') setLastGraph(check.graph);
    setDryRun(null);
  }, [check]);

  const valid = !changed || check.state === 'valid';
  const save = async () => {
    setSaveError(null);
    setSaving(true);
    try {
      const answer = await post<Saved & { created: boolean }>(
        `/workflows/${encodeURIComponent(detail.id)}/versions`,
        { yaml, baseVersion: detail.version },
      );
      onSaved({ version: answer.version, previous: answer.previous });
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };
  const problems = check.state === 'invalid' ? check.problems : [];
  const name = versionName(detail.label, detail.version);
  return (
    <div className="split">
      <Section title="YAML">
        <p className="muted small" id={noteId}>
          Editing version {name}
          {text.file ? ` (file ${text.file})` : ''}
          {text.source === 'definition' ? ', written out from its stored definition' : ''}.{' '}
          {writable
            ? 'Saving stores a new version: runs started after it use it, runs already started keep theirs.'
            : 'Read-only: saving a new version needs the workflows:write permission.'}
        </p>
        <YamlEditor
          label={`Workflow ${detail.id} (YAML)`}
          value={yaml}
          onChange={setYaml}
          problems={problems}
          readOnly={!writable}
          describedBy={noteId}
        />
        <p className="editor-status" role="status" data-check={changed ? check.state : 'unchanged'}>
          {statusText(changed, check)}
        </p>
        {check.state === 'failed' && <ErrorNote error={check.error} />}
        {writable && (
          <div className="actions">
            <button
              type="button"
              disabled={!changed || !valid || saving}
              onClick={() => void save()}
            >
              {saving ? 'Saving…' : 'Save as new version'}
            </button>{' '}
            <button
              type="button"
              className="secondary"
              disabled={!changed}
              onClick={() => setYaml(text.yaml)}
            >
              Undo all changes
            </button>
          </div>
        )}
        <ErrorNote error={saveError} />
      </Section>
      <Section title="Step graph">
        <p className="muted small">
          {changed && check.state !== 'valid'
            ? 'The graph of the last valid text; it follows the text again once the text is valid.'
            : changed
              ? 'The graph of the text being edited.'
              : `The graph of version ${name}.`}
        </p>
        <Graph
          graph={changed ? lastGraph : detail.graph}
          label={`Step graph of ${detail.id}${changed ? ' as edited' : ''}`}
          {...(dryRun
            ? pathTaken(
                dryRun.steps.map((s, i) => ({
                  seq: i,
                  stepId: s.stepId,
                  status: s.action === 'failed' ? 'failed' : 'completed',
                })),
              )
            : {})}
        />
        {checkable && valid && (
          <DryRunForm
            id={detail.id}
            trigger={detail.trigger}
            {...(changed ? { yaml } : {})}
            onResult={setDryRun}
          />
        )}
        {checkable && !valid && <p className="muted small">The dry run waits for a valid text.</p>}
      </Section>
    </div>
  );
}

function toCheck(result: Validation, id: string): Check {
  if (!result.ok)
    return {
      state: 'invalid',
      problems: result.problems.map((p) => ({ line: p.line, path: p.path, message: p.message })),
    };
  const workflow = result.workflows[0];
  if (!workflow || workflow.id !== id)
    return {
      state: 'invalid',
      problems: [
        {
          line: null,
          path: 'id',
          message: `is "${workflow?.id ?? ''}"; this editor saves workflow "${id}"`,
        },
      ],
    };
  return { state: 'valid', version: workflow.version, graph: workflow.graph };
}

function statusText(changed: boolean, check: Check): string {
  if (!changed) return 'No changes.';
  switch (check.state) {
    case 'checking':
      return 'Checking…';
    case 'valid':
      return `Valid: it would be version ${check.version.slice(0, 12)}.`;
    case 'invalid':
      return `${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}: fix ${check.problems.length === 1 ? 'it' : 'them'} to save.`;
    case 'failed':
      return 'The text could not be checked.';
  }
}
