/** Types of scripts/test-dashboard.mjs, for the tests that import it. */
export function buildDashboardInto(outDir: string): Promise<string>;
export function servesDashboard(file: string): boolean;
