import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The V8 flags of this test process that its `crossdock` commands get too: the test runner
 * keeps the embedded database's WebAssembly on the baseline compiler (scripts/run-tests.mjs).
 */
const INHERITED_FLAGS = process.execArgv.filter((flag) => flag === '--liftoff-only');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Options for node itself, before the entry (`--import` a hook). */
  nodeArgs?: string[];
  /** Written to the command's standard input, which is then closed. */
  input?: string;
}

/**
 * Runs `crossdock` in a child process. Asynchronous on purpose: simulators and counting
 * servers live in the test process and must keep answering while the command runs.
 */
export function runCrossdock(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  options: RunOptions = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...INHERITED_FLAGS, ...(options.nodeArgs ?? []), 'bin/crossdock.js', ...args],
      { env: { ...process.env, LOG_LEVEL: 'silent', ...env } },
    );
    if (options.input !== undefined) child.stdin.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface RunningCli {
  /** Resolves with stdout once `ready` accepts it; rejects if the process ends first or after timeoutMs. */
  output(ready: (stdout: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Sends the signal and resolves with how the process ended. */
  stop(signal: NodeJS.Signals): Promise<CliResult>;
}

/** Starts a long-running `crossdock` command (a simulator, a server) in a child process. */
export function startCrossdock(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [...INHERITED_FLAGS, 'bin/crossdock.js', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  let stdout = '';
  let stderr = '';
  const ended = new Promise<CliResult>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
  const watchers = new Set<() => void>();
  child.stdout.on('data', (d) => {
    stdout += d;
    watchers.forEach((w) => w());
  });
  child.stderr.on('data', (d) => (stderr += d));
  return {
    output(ready, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            finish(
              new Error(
                `no such output within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`,
              ),
            ),
          timeoutMs,
        );
        const check = () => ready(stdout) && finish(null);
        function finish(error: Error | null) {
          clearTimeout(timer);
          watchers.delete(check);
          error ? reject(error) : resolve(stdout);
        }
        watchers.add(check);
        void ended.then((r) =>
          finish(
            new Error(
              `crossdock ${args.join(' ')} ended (${r.status}) before its output: ${r.stdout} ${r.stderr}`,
            ),
          ),
        );
        check();
      });
    },
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const result = await ended;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Whether `text` is one whole JSON document (a `--json` answer that has been printed completely). */
export function completeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const ROOT = resolve(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'cli');

/**
 * The modules a command loaded, from the log test/support/module-log.mjs wrote: each URL it
 * resolved, where a file of the compiled CLI's bundle (dist/cli/) stands for the modules it
 * holds (`file:///.../dist/src/cli/server.js`, `file:///.../node_modules/kysely/...`), as
 * dist/cli/modules.json lists them.
 */
export function loadedModules(log: string): string[] {
  const modulesFile = join(BUNDLE, 'modules.json');
  const held: Record<string, string[]> = existsSync(modulesFile)
    ? JSON.parse(readFileSync(modulesFile, 'utf8'))
    : {};
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((url) => {
      if (!url.startsWith('file:')) return [url];
      const inBundle = held[relative(BUNDLE, fileURLToPath(url))];
      return inBundle ? inBundle.map((input) => pathToFileURL(join(ROOT, input)).href) : [url];
    });
}
