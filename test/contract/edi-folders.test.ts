/**
 * The watched-folder transport on the store under test: a partner's 850 file in the inbox is
 * stored and archived and its 997 written into the outbox (0600, atomically); a file still
 * being written is not taken; a failed move after the store (a crash between the two) takes
 * the file again without doubling anything; an unreadable file goes to the error folder with
 * its event; a document the outbox cannot take dies, is reported once, and goes out when
 * queued again.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  EdiDispatcher,
  EdiFolderInbox,
  listDocuments,
  resendDocumentStep,
  sweepUndeliverable,
  type EdiPartner,
} from '../../src/connectors/edi/index.ts';
import type { Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import type { Store } from '../../src/store/index.ts';
import { ediFolderPartner, type EdiFolderPartner } from '../../sim/edi/index.ts';
import { westfalenByFolder } from '../support/edi.ts';
import { engineWith, ManualClock } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const SETTLE_MS = 1_000;

describe('EDI watched folders', () => {
  let test_: TestStore;
  let store: Store;
  let engine: Engine;
  let root: string;
  let partner: EdiPartner;
  let sim: EdiFolderPartner;
  let inbox: EdiFolderInbox;
  let dispatcher: EdiDispatcher;
  const clock = new ManualClock(new Date());

  before(async () => {
    test_ = await openTestStore();
    store = test_.store;
    engine = await engineWith(store, []);
    root = mkdtempSync(join(tmpdir(), 'crossdock-edi-folders-'));
    partner = westfalenByFolder(join(root, 'westfalen'), {
      settle_ms: SETTLE_MS,
      max_attempts: 2,
    });
    const deps = {
      db: store.db,
      now: () => clock.now(),
      clock,
      logger: silentLogger(),
      accept: (event: {
        source: string;
        type: string;
        key: string;
        payload: Record<string, unknown>;
      }) => engine.accept(event, 'edi'),
      queued: () => undefined,
    };
    inbox = new EdiFolderInbox([partner], deps);
    dispatcher = new EdiDispatcher({
      db: store.db,
      clock,
      logger: silentLogger(),
      partner: () => partner,
      pollIntervalMs: 60_000,
      random: () => 0.5,
    });
    inbox.start(); // creates the folders, scans once; the test scans by itself from here
    await inbox.stop();
    sim = ediFolderPartner({
      inbox: partner.folder!.inbox,
      outbox: partner.folder!.outbox,
      partnerId: 'WESTFALENBAU',
      crossdockId: 'CROSSDOCKDIST',
    });
  });
  after(async () => {
    await inbox?.stop();
    await test_?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const eventsOf = async (type: string) =>
    store.db
      .selectFrom('events')
      .select(['dedupe_key', 'payload'])
      .where('source', '=', 'edi.westfalen')
      .where('type', '=', type)
      .execute();
  const interchanges = async () =>
    store.db
      .selectFrom('edi_interchanges')
      .select(['control', 'status'])
      .where('partner', '=', 'westfalen')
      .execute();
  const files = (which: 'in' | 'out' | 'archive' | 'error') =>
    readdirSync(join(root, 'westfalen', which)).sort();
  /** Scans after the settle time has passed since the file was first seen. */
  const scanSettled = async () => {
    assert.deepEqual(await inbox.scanOnce(), [], 'not taken on first sight');
    clock.advance(SETTLE_MS);
    return inbox.scanOnce();
  };

  test('the folders are created owner-only', () => {
    for (const which of ['in', 'out', 'archive', 'error'] as const)
      assert.equal(statSync(join(root, 'westfalen', which)).mode & 0o777, 0o700, which);
  });

  test('an 850 file is stored, archived, and answered by a 997 file in the outbox', async () => {
    const dropped = sim.dropOrder({
      poNumber: '4500001',
      lines: [{ qty: 2, price: 10, ids: [['BP', 'WB-1']] }],
    });
    const [taken] = await scanSettled();
    assert.equal(taken!.file, dropped.name);
    assert.ok(!('error' in taken!.outcome));
    assert.equal(taken!.outcome.status, 'accepted');
    assert.deepEqual(files('in'), []);
    assert.deepEqual(files('archive'), [taken!.movedTo.split('/').pop()]);
    assert.match(taken!.movedTo, new RegExp(`-${dropped.name}$`));
    assert.equal(statSync(taken!.movedTo).size, Buffer.byteLength(dropped.text));
    assert.deepEqual(
      (await eventsOf('edi.purchase_order')).map(
        (e) => (e.payload as { po_number: string }).po_number,
      ),
      ['4500001'],
    );

    assert.equal(await dispatcher.runOnce(), 1);
    const [ack] = sim.collect();
    assert.equal(ack!.kind, '997');
    assert.match(ack!.name, /^\d{9}\.997\.x12$/);
    assert.equal(ack!.interchange.receiverId, 'WESTFALENBAU');
    assert.deepEqual(
      ack!.interchange.groups[0]!.sets[0]!.segments.map((s) => [s.id, ...s.el]),
      [
        ['AK1', 'PO', String(dropped.control)],
        ['AK2', '850', '0001'],
        ['AK5', 'A'],
        ['AK9', 'A', '1', '1', '1'],
      ],
    );
    assert.equal(statSync(join(sim.outbox, ack!.name)).mode & 0o777, 0o600);
    assert.deepEqual(
      readdirSync(sim.outbox).filter((n) => n.startsWith('.')),
      [],
      'no temporary file left',
    );
    const [doc] = await listDocuments(store.db, 'westfalen');
    assert.equal(doc!.status, 'sent');
  });

  test('a file still being written is not taken until it is complete', async () => {
    const whole = sim.dropOrder({
      poNumber: '4500002',
      lines: [{ qty: 1, price: 10, ids: [['BP', 'WB-1']] }],
      name: 'scratch.edi',
    }).text;
    rmSync(join(sim.inbox, 'scratch.edi'));
    // A sender that renames: its .part file is never taken.
    sim.drop('PO-4500002.edi.part', whole);
    // A sender that writes in place: the first half, then the rest.
    const half = Math.floor(whole.length / 2);
    sim.drop('PO-4500002.edi', whole.slice(0, half));
    assert.deepEqual(await inbox.scanOnce(), []);
    clock.advance(SETTLE_MS - 1);
    assert.deepEqual(await inbox.scanOnce(), [], 'not settled yet');
    sim.append('PO-4500002.edi', whole.slice(half));
    clock.advance(SETTLE_MS);
    assert.deepEqual(await inbox.scanOnce(), [], 'it grew: the settle time starts again');
    clock.advance(SETTLE_MS);
    const taken = await inbox.scanOnce();
    assert.deepEqual(
      taken.map((t) => [t.file, 'status' in t.outcome ? t.outcome.status : t.outcome.code]),
      [['PO-4500002.edi', 'accepted']],
    );
    assert.deepEqual(files('in'), ['PO-4500002.edi.part']);
    rmSync(join(sim.inbox, 'PO-4500002.edi.part'));
  });

  test('a move that fails after the store takes the file again later, without doubling it', async () => {
    const archive = join(root, 'westfalen', 'archive');
    rmSync(archive, { recursive: true });
    writeFileSync(archive, 'not a folder'); // the move out of the inbox fails
    const dropped = sim.dropOrder({
      poNumber: '4500003',
      lines: [{ qty: 1, price: 10, ids: [['BP', 'WB-1']] }],
    });
    assert.deepEqual(await scanSettled(), [], 'stored, but not moved');
    assert.deepEqual(files('in'), [dropped.name]);
    const control = String(dropped.control).padStart(9, '0');
    assert.equal((await interchanges()).filter((i) => i.control === control).length, 1);

    rmSync(archive);
    mkdirSync(archive, { mode: 0o700 });
    const [again] = await inbox.scanOnce();
    assert.equal(again!.file, dropped.name);
    assert.ok('duplicate' in again!.outcome && again!.outcome.duplicate, 'known by its ISA13');
    assert.deepEqual(files('in'), []);
    assert.equal(files('archive').length, 1);
    assert.equal((await interchanges()).filter((i) => i.control === control).length, 1);
    const orders = (await eventsOf('edi.purchase_order')).filter(
      (e) => (e.payload as { po_number: string }).po_number === '4500003',
    );
    assert.equal(orders.length, 1, 'one order event');
    const acks = (await listDocuments(store.db, 'westfalen')).filter(
      (d) =>
        d.transaction_set === '997' &&
        d.reference === `group ${dropped.control} of interchange ${control}`,
    );
    assert.equal(acks.length, 1, 'one 997');
  });

  test('an unreadable file and a wrong envelope go to the error folder, with an event and a TA1', async () => {
    sim.drop('garbage.edi', 'hello, this is not X12');
    const bad = sim.dropOrder({
      poNumber: '4500004',
      lines: [{ qty: 1, price: 10, ids: [['BP', 'WB-1']] }],
      name: 'wrong-trailer.edi',
    });
    const control = String(bad.control).padStart(9, '0');
    writeFileSync(
      join(sim.inbox, 'wrong-trailer.edi'),
      bad.text.replace(`IEA*1*${control}`, 'IEA*1*000000001'),
    );
    const taken = await scanSettled();
    assert.deepEqual(taken.map((t) => t.file).sort(), ['garbage.edi', 'wrong-trailer.edi']);
    assert.deepEqual(files('in'), []);
    assert.deepEqual(
      files('error').map((n) => n.replace(/^\w+-/, '')),
      ['garbage.edi', 'wrong-trailer.edi'],
    );
    const [rejected] = await eventsOf('edi.file.rejected');
    assert.equal((rejected!.payload as { file: string }).file, 'garbage.edi');
    assert.equal((rejected!.payload as { code: string }).code, 'EDI_INTERCHANGE_UNREADABLE');
    const envelope = (await eventsOf('edi.document.rejected')).find(
      (e) => (e.payload as { interchange: string }).interchange === control,
    );
    assert.equal((envelope!.payload as { level: string }).level, 'interchange');
    await dispatcher.runOnce();
    const ta1 = sim.collect().find((f) => f.kind === 'TA1');
    assert.deepEqual(ta1!.interchange.loose[0]!.el.slice(0, 1), [control]);
    assert.equal(ta1!.interchange.loose[0]!.el[3], 'R');
  });

  test('a document the outbox cannot take dies, is reported once, and goes out when queued again', async () => {
    const outbox = sim.outbox;
    rmSync(outbox, { recursive: true });
    writeFileSync(outbox, 'not a folder');
    const dropped = sim.dropOrder({
      poNumber: '4500005',
      lines: [{ qty: 1, price: 10, ids: [['BP', 'WB-1']] }],
    });
    await scanSettled();
    await dispatcher.runOnce();
    clock.advance(3_600_000);
    await dispatcher.runOnce();
    const ref = `group ${dropped.control} of interchange ${String(dropped.control).padStart(9, '0')}`;
    const dead = (await listDocuments(store.db, 'westfalen')).find((d) => d.reference === ref)!;
    assert.equal(dead.status, 'dead', JSON.stringify(dead));
    assert.equal(dead.attempts, 2);
    assert.equal(dead.last_error_code, 'EDI_DELIVERY_UNAVAILABLE');

    const accept = (event: {
      source: string;
      type: string;
      key: string;
      payload: Record<string, unknown>;
    }) => engine.accept(event, 'edi');
    assert.equal(await sweepUndeliverable({ db: store.db, partners: [partner], accept }), 1);
    assert.equal(await sweepUndeliverable({ db: store.db, partners: [partner], accept }), 0);
    const [reported] = await eventsOf('edi.document.undeliverable');
    assert.match(reported!.dedupe_key, new RegExp(`^undeliverable:${dead.id}:\\d+$`));
    assert.deepEqual(
      {
        ...(reported!.payload as Record<string, unknown>),
        error: undefined,
      },
      {
        partner: 'westfalen',
        partner_name: 'Westfalen Bau',
        document_id: String(dead.id),
        transaction_set: '997',
        reference: ref,
        interchange_control: String(dead.interchange_control).padStart(9, '0'),
        group_control: String(dead.group_control),
        status: 'dead',
        attempts: 2,
        error_code: 'EDI_DELIVERY_UNAVAILABLE',
        error: undefined,
      },
    );
    assert.match(
      String((reported!.payload as { error: string }).error),
      /gave up after 2 attempts: partner westfalen \(outbox .*\): could not write \d{9}\.997\.x12/,
    );

    // The coordinator fixes the folder and sends it again (what the case's action runs).
    rmSync(outbox);
    const step = resendDocumentStep({ db: () => store.db, queued: () => undefined });
    const ctx = { now: () => clock.now() } as Parameters<typeof step.execute>[0];
    const resent = await step.execute(ctx, { document_id: String(dead.id) });
    assert.deepEqual(resent, {
      kind: 'done',
      output: { document_id: String(dead.id), status: 'pending', resent: true },
    });
    const repeat = await step.execute(ctx, { document_id: String(dead.id) });
    assert.deepEqual(
      (repeat as { output: unknown }).output,
      { document_id: String(dead.id), status: 'pending', resent: false },
      'a repeat changes nothing',
    );
    await dispatcher.runOnce();
    assert.ok(existsSync(outbox));
    assert.ok(
      sim
        .collect()
        .some(
          (f) =>
            f.kind === '997' &&
            f.interchange.control === String(dead.interchange_control).padStart(9, '0'),
        ),
    );
    const sent = (await listDocuments(store.db, 'westfalen')).find((d) => d.id === dead.id)!;
    assert.equal(sent.status, 'sent');
    assert.equal(sent.attempts, 1);
  });
});
