/**
 * `npm run bench:scale`: the worker-count curve with I/O-bound steps. The same dispatch flow
 * and harness as bench:api (bench/api.ts), on PostgreSQL, with the carrier answering in 50 ms,
 * `crossdock start` serving the API only (no worker loops of its own) and 1, 2, 4 and 8
 * `crossdock worker` processes, each allowed a fixed number of runs in flight, so that a
 * worker process's capacity is bounded by waiting on the carrier, not by the machine: the
 * curve shows how added processes add capacity, and where PostgreSQL or the CPU binds.
 *
 * Environment (each has a default here; bench:api's own variables apply too):
 *   BENCH_SCALE_WORKERS      1,2,4,8   worker processes per point
 *   BENCH_SCALE_CONCURRENCY  10        runs in flight per worker process
 *   BENCH_SCALE_DELAY_MS     50        the carrier's answer time
 *   BENCH_API_C              200       requests in flight (enough to keep every worker busy)
 *   BENCH_API_REQUESTS       600
 */
const env = process.env;
const workers = (env.BENCH_SCALE_WORKERS ?? '1,2,4,8').split(',').map((w) => w.trim());
env.BENCH_API_CONFIGS = workers.map((w) => `pg+${w}`).join(',');
env.BENCH_API_DOORS ??= 'events';
env.BENCH_API_C ??= '200';
env.BENCH_API_REQUESTS ??= '600';
env.BENCH_API_TARGET_DELAY_MS = env.BENCH_SCALE_DELAY_MS ?? '50';
env.BENCH_API_START_WORKERS = '0';
env.BENCH_API_WORKER_CONCURRENCY = env.BENCH_SCALE_CONCURRENCY ?? '10';

await import('./api.ts');
