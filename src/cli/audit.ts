import { createWriteStream, type WriteStream } from 'node:fs';
import type { AuditEntry, VerifyResult } from '../audit/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { directOrRemote, type ApiCall } from './operations.ts';
import { usageError, type Output } from './output.ts';

/** `crossdock audit verify` (exit 1 when the chain is broken, naming the entry) and `crossdock audit export [--out file]` (JSON lines). */
export async function auditCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: { api?: string; out?: string },
  out: Output,
): Promise<number> {
  const sub = rest[0];
  if (sub === 'verify') {
    return directOrRemote(
      config,
      flags.api,
      async (c) => report(await c.services.audit.verify(), out),
      async (call) => report(await call<VerifyResult>('GET', '/api/v1/audit/verify'), out),
    );
  }
  if (sub === 'export') {
    const sink: NodeJS.WritableStream = flags.out
      ? createWriteStream(flags.out, { mode: 0o600 })
      : process.stdout;
    let count = 0;
    const write = (entry: AuditEntry) => {
      sink.write(`${JSON.stringify(entry)}\n`);
      count++;
    };
    const code = await directOrRemote(
      config,
      flags.api,
      async (c) => {
        for await (const entry of c.services.audit.entries()) write(entry);
        return 0;
      },
      async (call) => {
        for await (const entry of remoteEntries(call)) write(entry);
        return 0;
      },
    );
    if (flags.out) {
      await new Promise<void>((resolve, reject) =>
        (sink as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      out.info(`${count} audit entries written to ${flags.out}`);
    }
    return code;
  }
  throw usageError('usage: crossdock audit verify | export [--out file.jsonl]');
}

async function* remoteEntries(call: ApiCall): AsyncGenerator<AuditEntry> {
  let after = 0;
  for (;;) {
    const page = await call<{ entries: AuditEntry[]; next: number | null }>(
      'GET',
      `/api/v1/audit?after=${after}&limit=1000`,
    );
    yield* page.entries;
    if (page.next === null) return;
    after = page.next;
  }
}

function report(result: VerifyResult, out: Output): number {
  out.result(result, () =>
    result.ok
      ? `audit log intact: ${result.entries} entries, head ${result.headHash}`
      : `AUDIT LOG BROKEN at entry ${result.seq}: ${result.problem} (${result.entries} entries verified before it)`,
  );
  return result.ok ? 0 : 1;
}
