/**
 * An EDI inbox left scanning holds one pending timer per partner, not one more per scan: a
 * process polling its partners' folders for weeks keeps the same memory. Counted in a heap
 * snapshot (reachable objects only) before the inbox starts and after 15 scans.
 */
// Runs in a process of its own: the heap snapshot would hold every module other test files
// loaded, and take seconds to write and read.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { getHeapSnapshot } from 'node:v8';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { EdiFolderInbox } from '../../src/connectors/edi/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import type { Database } from '../../src/store/index.ts';
import { westfalenByFolder } from '../support/edi.ts';

/** Node's timer objects (`Timeout`) still reachable in this process. */
async function reachableTimeouts(): Promise<number> {
  const snapshot = JSON.parse(await text(getHeapSnapshot())) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const [type, name] = [fields.indexOf('type'), fields.indexOf('name')];
  const timeout = snapshot.strings.indexOf('Timeout');
  let count = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length)
    if (snapshot.nodes[i + name] === timeout && types[0][snapshot.nodes[i + type]!] === 'object')
      count++;
  return count;
}

test('an EDI inbox scanning for a while holds one timer per partner, not one per scan', async () => {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-edi-timers-'));
  const partner = westfalenByFolder(root, { poll_interval_ms: 100 });
  // Every scan reads the clock; the test counts scans by it. An empty inbox touches no store:
  // this one has no server behind it.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ host: '127.0.0.1', port: 1 }) }),
  });
  let scans = 0;
  let scanned: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => (scanned = resolve));
  const inbox = new EdiFolderInbox([partner], {
    db,
    now: () => new Date(),
    clock: {
      now: () => {
        if (++scans >= 15) scanned();
        return new Date();
      },
    },
    logger: silentLogger(),
    accept: () => Promise.reject(new Error('an empty inbox accepts nothing')),
    queued: () => undefined,
  });
  try {
    const before = await reachableTimeouts();
    inbox.start();
    await enough;
    const during = await reachableTimeouts();
    assert.ok(
      during - before <= 2,
      `${during - before} more timers reachable after ${scans} scans (one is expected)`,
    );
  } finally {
    await inbox.stop();
    await db.destroy();
    rmSync(root, { recursive: true, force: true });
  }
});
