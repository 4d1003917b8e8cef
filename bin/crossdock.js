#!/usr/bin/env node
// The `crossdock` command. It runs the compiled JavaScript in dist/cli/, which `npm ci` builds
// (`npm run build` builds it again). When that build is missing or older than the sources,
// a development checkout (tsx installed) runs the TypeScript sources through tsx instead,
// which starts several times slower; anywhere else the command says how to build and stops.
import { buildNeeded } from '../scripts/build-state.mjs';

const stale = buildNeeded('cli');
if (stale === null) {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(process.argv.slice(2));
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(
      `crossdock: the compiled CLI cannot be used: ${stale}. Run \`npm run build\` (npm ci runs it, unless --ignore-scripts).\n`,
    );
    process.exit(1);
  }
  process.stderr.write(
    `crossdock: ${stale}; running the TypeScript sources through tsx (slower to start; \`npm run build\` compiles them)\n`,
  );
  tsx.register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
