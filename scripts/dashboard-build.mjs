// The dashboard's vite build, for `npm run build` (scripts/build.mjs: into dashboard/dist) and
// for the browser tests (scripts/run-tests.mjs builds it once per run into the run's temporary
// folder and names it in CROSSDOCK_TEST_DASHBOARD; a test file run on its own builds its own,
// test/dashboard/support.ts). Each test file built its own before: about a second of wall
// time and 0.6 s of CPU per file (bench/RESULTS.md).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DASHBOARD = fileURLToPath(new URL('../dashboard', import.meta.url));

/**
 * Builds dashboard/src into `outDir` (default dashboard/dist); `quiet` prints errors only.
 * Returns the folder built.
 */
export async function buildDashboard({ outDir = join(DASHBOARD, 'dist'), quiet = false } = {}) {
  const { build } = await import('vite');
  await build({
    configFile: join(DASHBOARD, 'vite.config.ts'),
    root: DASHBOARD,
    ...(quiet ? { logLevel: 'error' } : {}),
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
