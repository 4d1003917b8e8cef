import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what its last full collection kept, for the
 * long-running commands (`start`, `worker`, `demo`). V8's own factor lets it grow by up to
 * four times: under a steady stream of requests `crossdock start` on PostgreSQL held 220-280
 * MB after 30,000 requests with about 35 MB live, over its 250 MB budget. At 100 % (twice what
 * was kept) it held 198-201 MB, at 50 % 175-178 MB, for a few percent more CPU a run, within
 * the machine's noise (bench/RESULTS.md, decision 0075). `CROSSDOCK_HEAP_GROWTH_PERCENT=0`
 * keeps V8's own factor; a `--heap-growing-percent` in NODE_OPTIONS or on node's command
 * line wins.
 *
 * V8 reads this factor each time it sets the next limit, so it takes effect when set at
 * runtime (unlike the young generation's size, fixed when the heap is made).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent === 0) return;
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
  if (given.some((arg) => arg.includes('heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
