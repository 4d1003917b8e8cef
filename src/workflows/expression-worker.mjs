// The isolation worker for expressions that can run long inside one native call (see
// needsIsolation in expression-eval.ts); expression-serve.ts does the work.
//
// It runs beside the compiled modules (dist/src/workflows/, where the build copies it) or
// beside the TypeScript sources, which it then loads through tsx (a development checkout).
// Test runs start a bundled copy instead (scripts/bundle-tests.mjs).
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const compiled = existsSync(new URL('./expression-serve.js', import.meta.url));
if (!compiled) (await import('tsx/esm/api')).register();
const { serveExpressions } = await import(
  compiled ? './expression-serve.js' : './expression-serve.ts'
);
serveExpressions(parentPort);
