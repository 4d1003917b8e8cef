// Loaded into every node process of a measured test run (NODE_OPTIONS=--import): at exit it
// appends one JSON line with the process's arguments, parent, CPU and wall time to the file
// named by CROSSDOCK_TEST_COSTS_OUT. A process that cannot write there (another user) is skipped.
import { appendFileSync } from 'node:fs';

const started = Date.now();
const out = process.env.CROSSDOCK_TEST_COSTS_OUT;
if (out) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const line = {
      pid: process.pid,
      ppid: process.ppid,
      argv: process.argv.slice(1),
      userMs: cpu.user / 1000,
      sysMs: cpu.system / 1000,
      wallMs: Date.now() - started,
    };
    try {
      appendFileSync(out, `${JSON.stringify(line)}\n`);
    } catch {
      // not ours to write: the line is lost, the process is not
    }
  });
}
