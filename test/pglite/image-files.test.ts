import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { ClusterImageFiles } from '../../src/store/pglite-image-fs.ts';

/**
 * Databases in memory laid out from one cluster image (what a store kept in memory starts
 * from, pglite-image-fs.ts): each is a database of its own, whatever holds the archive's
 * bytes (a Node Buffer, as read from the cache's file, or a plain Uint8Array, as made now).
 */
describe('databases laid out from one cluster image', () => {
  const open: PGlite[] = [];
  after(() => Promise.all(open.filter((p) => !p.closed).map((p) => p.close())));

  async function image(): Promise<Uint8Array> {
    const source = new PGlite();
    await source.exec('CREATE TABLE notes (body text); CHECKPOINT');
    const tar = await source.dumpDataDir('none');
    await source.close();
    return new Uint8Array(await tar.arrayBuffer());
  }

  const start = async (files: ClusterImageFiles) => {
    const pglite = new PGlite({ fs: files.fileSystem() });
    open.push(pglite);
    return pglite;
  };
  const notes = async (pglite: PGlite) =>
    (await pglite.query<{ body: string }>('SELECT body FROM notes ORDER BY body')).rows.map(
      (r) => r.body,
    );

  for (const [holder, wrap] of [
    ['a Node Buffer', (bytes: Uint8Array) => Buffer.from(bytes)],
    ['a Uint8Array', (bytes: Uint8Array) => bytes],
  ] as const)
    test(`from ${holder}: what one writes, committed or checkpointed, no other one sees`, async () => {
      const files = new ClusterImageFiles(wrap(await image()));
      const writer = await start(files);
      await writer.exec("INSERT INTO notes VALUES ('committed')");
      const during = await start(files);
      assert.deepEqual(await notes(during), [], 'one started while the other was open');
      await writer.exec("INSERT INTO notes VALUES ('checkpointed'); CHECKPOINT");
      await writer.close();
      const afterwards = await start(files);
      assert.deepEqual(await notes(afterwards), [], 'one started after the other checkpointed');
      assert.deepEqual(await notes(during), [], 'nor, still, the one started while it was open');
    });

  test('an archive cut short is refused, naming what is missing', async () => {
    const whole = await image();
    assert.throws(
      () => new ClusterImageFiles(whole.subarray(0, Math.floor(whole.length / 3))),
      /^Error: the image (is not a whole tar archive|ends inside|has no)/,
    );
  });
});
