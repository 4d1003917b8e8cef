// The dashboard the browser tests serve, built once for a whole run of them: each test file
// built its own before, about a second of wall time and 0.6 s of CPU per file (bench/RESULTS.md).
// scripts/run-tests.mjs builds it into the run's temporary folder and names it in
// CROSSDOCK_TEST_DASHBOARD; a file run on its own builds one (test/dashboard/support.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DASHBOARD = fileURLToPath(new URL('../dashboard', import.meta.url));

/** Builds dashboard/src into `outDir` (what a clean clone has: no built files are committed). */
export async function buildDashboardInto(outDir) {
  const { build } = await import('vite');
  await build({
    configFile: join(DASHBOARD, 'vite.config.ts'),
    root: DASHBOARD,
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** True for a test file that serves the dashboard. */
export function servesDashboard(file) {
  return /(^|[\\/])test[\\/]dashboard[\\/]/.test(file);
}
