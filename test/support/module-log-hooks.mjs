// Module hooks for module-log.mjs: each resolved URL, as it is resolved.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.CROSSDOCK_MODULE_LOG)
    appendFileSync(process.env.CROSSDOCK_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
