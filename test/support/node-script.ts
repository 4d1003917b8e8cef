import { fileURLToPath } from 'node:url';

/**
 * The arguments that make node run `script` in a process of its own: a script in TypeScript
 * (a test run through tsx) is loaded through tsx; in a bundled test run the script's URL names
 * its bundle instead (scripts/bundle-tests.mjs, CHILD_SCRIPTS), which node runs as it is.
 */
export function nodeScript(script: URL): string[] {
  const path = fileURLToPath(script);
  return path.endsWith('.ts') ? ['--import', 'tsx', path] : [path];
}
