import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../observability/index.ts';
import { installPath } from '../install-root.ts';

const CLI = installPath('bin', 'crossdock.js');

/**
 * The largest semi-space of V8's young generation, in MB, for the processes the demo starts and
 * for `npm start` (package.json): Node's default lets it grow to 16 MB each, and the held heap
 * with it, under a steady stream of short-lived objects (docs/decisions/0066).
 */
export const SEMI_SPACE_MB = 4;

/**
 * `crossdock worker` processes on the demo's PostgreSQL database, for the chaos demo: any of
 * them can be killed with SIGKILL at any moment and replaced; the runs it held are taken
 * over by the others once its leases expire.
 */
export class WorkerFleet {
  readonly #children: { child: ChildProcess; startedAt: number }[] = [];
  kills = 0;
  started = 0;

  /**
   * Each worker's output goes to <logDir>/worker-<n>.log. Each runs with a V8 heap limit of
   * `heapMb` (CROSSDOCK_WORKER_HEAP_MB): without one, Node sizes it from the machine's memory
   * and lets garbage pile up (bench/RESULTS.md, "soak").
   */
  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    private readonly logger: Logger,
    private readonly heapMb: number,
  ) {}

  start(count: number): void {
    for (let i = 0; i < count; i++) this.#spawn();
  }

  /**
   * SIGKILLs the longest-running worker that has been up at least `minUpMs` (so it holds
   * leases by now; no chance to finish a step or release them) and starts another.
   */
  killOldest(minUpMs: number): void {
    const now = Date.now();
    const victim = this.#children.find(
      (c) =>
        c.child.exitCode === null && c.child.signalCode === null && now - c.startedAt >= minUpMs,
    );
    if (!victim) return;
    victim.child.kill('SIGKILL');
    this.kills++;
    this.#spawn();
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  #spawn(): void {
    const log = join(this.logDir, `worker-${this.started + 1}.log`);
    const fd = openSync(log, 'a');
    const heap = [`--max-old-space-size=${this.heapMb}`, `--max-semi-space-size=${SEMI_SPACE_MB}`];
    const child = spawn(process.execPath, [...heap, CLI, 'worker'], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && code !== 0)
        this.logger.error({ code, signal, log }, 'demo worker process exited');
    });
    this.#children.push({ child, startedAt: Date.now() });
    this.started++;
  }
}
