import { Status } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { Link } from '../router.tsx';
import { versionName, versionPath, type StoredVersion, type VersionDetail } from '../versions.ts';

/** Every stored version of a workflow, newest first; the one shown is highlighted. */
export function VersionsTable({
  id,
  versions,
  shown,
}: {
  id: string;
  versions: StoredVersion[];
  shown: string | null;
}) {
  return (
    <table className="table" aria-label="Versions">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Hash</th>
          <th scope="col">Stored</th>
          <th scope="col">Runs pinned</th>
          <th scope="col">Current</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr
            key={v.hash}
            data-version={v.hash}
            className={v.hash === shown ? 'selected' : undefined}
          >
            <td>
              <Link
                to={versionPath(id, v.hash)}
                aria-current={v.hash === shown ? 'true' : undefined}
              >
                {v.label ?? v.hash.slice(0, 12)}
              </Link>
            </td>
            <td>
              <code className="small" title={v.hash}>
                {v.hash.slice(0, 12)}
              </code>
            </td>
            <td className="small">
              {formatTime(v.createdAt)}
              {v.edited && <div className="muted">saved in the editor</div>}
            </td>
            <td data-runs>{v.runs}</td>
            <td>
              {v.current ? <Status value="current" /> : <span className="muted small">no</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the version changed from the one stored before it (the first version changed nothing). */
export function ChangesSummary({ id, detail }: { id: string; detail: VersionDetail }) {
  const { previous, changes } = detail;
  if (!previous || !changes)
    return (
      <p className="muted" data-changes="first">
        The first stored version: there is nothing before it to compare with.
      </p>
    );
  const steps = (label: string, ids: string[], kind: string) =>
    ids.length > 0 && (
      <li data-change={kind}>
        {label}:{' '}
        {ids.map((s) => (
          <code key={s} className="chip">
            {s}
          </code>
        ))}
      </li>
    );
  const none =
    !changes.stepsAdded.length &&
    !changes.stepsRemoved.length &&
    !changes.stepsChanged.length &&
    !changes.stepOrderChanged &&
    !changes.triggerChanged &&
    !changes.settingsChanged.length;
  return (
    <div className="changes" data-changes="compared">
      <h3>
        Changes from version{' '}
        <Link to={versionPath(id, previous.version)}>
          {versionName(previous.label, previous.version)}
        </Link>
      </h3>
      {none ? (
        <p className="muted">Only the label changed.</p>
      ) : (
        <ul aria-label="Changes from the previous version">
          {steps('Steps added', changes.stepsAdded, 'added')}
          {steps('Steps removed', changes.stepsRemoved, 'removed')}
          {steps('Steps changed', changes.stepsChanged, 'changed')}
          {changes.stepOrderChanged && (
            <li data-change="order">
              The steps are in another order (the default next step moved)
            </li>
          )}
          {changes.triggerChanged && <li data-change="trigger">The trigger changed</li>}
          {changes.settingsChanged.length > 0 && (
            <li data-change="settings">Also changed: {changes.settingsChanged.join(', ')}</li>
          )}
        </ul>
      )}
    </div>
  );
}
