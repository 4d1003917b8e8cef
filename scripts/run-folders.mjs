// Folders that belong to one test run (bundles, temporary files), named after the runner's
// pid so that a run that was killed can be recognised and its folders removed by the next.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Removes the folders in `parent` named `<prefix><pid>` whose process is gone. */
export function removeAbandonedRuns(parent, prefix) {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && !alive(pid))
      rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
