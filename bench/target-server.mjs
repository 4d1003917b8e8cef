// The HTTP endpoint the benchmark workflow calls, in its own process like a real one.
// TARGET_DELAY_MS: how long it takes to answer (a carrier's API is not instant).
import { createServer } from 'node:http';

const delayMs = Number(process.env.TARGET_DELAY_MS ?? 0);
const answer = (res) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"score":7}');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => (delayMs > 0 ? setTimeout(answer, delayMs, res) : answer(res)));
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
