// The isolation worker for expressions that can run long inside one native call (see
// needsIsolation in expression-eval.ts). It evaluates one expression at a time with the same
// code and limits as the main thread; the main thread terminates it if it overruns.
//
// It runs beside the compiled modules (dist/src/workflows/, where the build copies it) or
// beside the TypeScript sources, which it then loads through tsx (a development checkout).
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const compiled = existsSync(new URL('./expression-eval.js', import.meta.url));
if (!compiled) (await import('tsx/esm/api')).register();
const { evaluateGuarded } = await import(
  compiled ? './expression-eval.js' : './expression-eval.ts'
);
const { breachedLimit } = await import(
  compiled ? './expression-limits.js' : './expression-limits.ts'
);

parentPort.on('message', async ({ id, source, context, limits }) => {
  try {
    const value = await evaluateGuarded(source, context, limits);
    parentPort.postMessage({ id, value });
  } catch (error) {
    const limit = breachedLimit(error);
    parentPort.postMessage(
      limit
        ? { id, limit }
        : { id, error: { message: error?.message ?? String(error), code: error?.code } },
    );
  }
});
parentPort.postMessage({ ready: true });
