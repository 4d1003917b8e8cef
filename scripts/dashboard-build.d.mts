/** Types of scripts/dashboard-build.mjs, for the tests that import it. */
export function buildDashboard(options?: { outDir?: string; quiet?: boolean }): Promise<string>;
