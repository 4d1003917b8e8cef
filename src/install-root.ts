import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder Crossdock is installed in: the nearest one above this module that holds
 * package.json. Modules run from the sources (src/, sim/) or from the build (dist/src/,
 * dist/sim/), one folder deeper, so a path to the checkout's own files (migrations, packs,
 * the built dashboard, the CLI) is taken from here, never counted in `..` from a module.
 */
function findInstallRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(
        `no package.json above ${fileURLToPath(import.meta.url)}: Crossdock's files are not where it was installed`,
      );
    dir = parent;
  }
  return dir;
}

export const INSTALL_ROOT = findInstallRoot();

/** A path inside the installation, e.g. installPath('migrations'). */
export function installPath(...segments: string[]): string {
  return join(INSTALL_ROOT, ...segments);
}
