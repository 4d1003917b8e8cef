import { Link } from '../../router.tsx';
import {
  versionName,
  versionPath,
  workflowPath,
  type StoredVersion,
  type VersionDetail,
} from '../../versions.ts';
import type { RunDetail } from './detail.ts';

/** "version X (current)", or "version X; current is Y", or that the workflow is loaded no more. */
export function PinnedVersion({
  run,
  pinned,
  versions,
}: {
  run: RunDetail;
  pinned: VersionDetail;
  versions: StoredVersion[] | null;
}) {
  const current = versions?.find((v) => v.current) ?? null;
  const self = (
    <Link to={versionPath(run.workflowId, pinned.version)}>
      version {versionName(pinned.label, pinned.version)}
    </Link>
  );
  if (pinned.current)
    return <p data-version-note="current">The run is pinned to {self} (current).</p>;
  return (
    <p data-version-note="older">
      The run is pinned to {self};{' '}
      {current ? (
        <>
          current is{' '}
          <Link to={workflowPath(run.workflowId)}>
            version {versionName(current.label, current.hash)}
          </Link>
          .
        </>
      ) : versions ? (
        'the workflow is not loaded now.'
      ) : (
        '…'
      )}
    </p>
  );
}
