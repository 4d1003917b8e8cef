import { Worker } from 'node:worker_threads';
import { LimitBreach, type ExpressionLimits, type LimitName } from './expression-limits.ts';

const WORKER_SCRIPT = new URL('./expression-worker.mjs', import.meta.url);

interface Job {
  id: number;
  source: string;
  context: unknown;
  limits: ExpressionLimits;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Reply =
  | { id: number; value: unknown }
  | { id: number; limit: LimitName }
  | { id: number; error: { message: string; code?: string } };

/**
 * A worker thread for the expressions that step-by-step checks cannot stop (a regular
 * expression backtracking inside `$match`). One evaluation at a time: if it outlives its
 * time limit by the grace period, the thread is terminated (which stops even a native
 * call) and the next evaluation starts a fresh one. The event loop of the process is never
 * held by such an expression. Shared by the process, like the compile cache; it does not
 * keep the process alive when idle.
 */
class ExpressionIsolate {
  #worker: Worker | null = null;
  #ready: Promise<Worker> | null = null;
  #queue: Job[] = [];
  #busy = false;
  #nextId = 1;

  evaluate(source: string, context: unknown, limits: ExpressionLimits): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, source, context, limits, resolve, reject });
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    const job = this.#queue.shift();
    if (!job) {
      this.#worker?.unref();
      return;
    }
    this.#busy = true;
    try {
      job.resolve(await this.#run(job));
    } catch (error) {
      job.reject(error);
    } finally {
      this.#busy = false;
      void this.#pump();
    }
  }

  async #run(job: Job): Promise<unknown> {
    const worker = await this.#start();
    worker.ref();
    // Startup is not counted: the clock starts when the thread has the expression.
    const graceMs = Math.max(100, job.limits.timeoutMs / 2);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.#discard();
        reject(new LimitBreach('timeoutMs'));
      }, job.limits.timeoutMs + graceMs);
      const onMessage = (reply: Reply) => {
        if (reply.id !== job.id) return;
        cleanup();
        if ('value' in reply) resolve(reply.value);
        else if ('limit' in reply) reject(new LimitBreach(reply.limit));
        else reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      };
      const onExit = () => {
        cleanup();
        this.#discard();
        reject(new Error('the expression worker stopped (out of memory?)'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({
        id: job.id,
        source: job.source,
        context: job.context,
        limits: job.limits,
      });
    });
  }

  #start(): Promise<Worker> {
    if (this.#ready) return this.#ready;
    const worker = new Worker(WORKER_SCRIPT, { resourceLimits: { maxOldGenerationSizeMb: 256 } });
    this.#worker = worker;
    this.#ready = new Promise((resolve, reject) => {
      const onReady = (message: { ready?: boolean }) => {
        if (!message.ready) return;
        worker.off('message', onReady);
        worker.off('error', onError);
        resolve(worker);
      };
      const onError = (error: Error) => {
        this.#discard();
        reject(error);
      };
      worker.on('message', onReady);
      worker.once('error', onError);
    });
    // An error after start-up ends the thread; the in-flight job learns it from 'exit'.
    worker.on('error', () => undefined);
    return this.#ready;
  }

  #discard(): void {
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = null;
    void worker?.terminate();
  }
}

export const expressionIsolate = new ExpressionIsolate();
