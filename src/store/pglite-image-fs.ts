import { MemoryFS } from '@electric-sql/pglite';
import { parseTar } from 'nanotar';

type ModuleOptions = Parameters<MemoryFS['init']>[1];
type EmscriptenFs = NonNullable<ModuleOptions['FS']>;

/** A folder or file of a cluster image: where it goes in the data directory, and its mode. */
interface ImageEntry {
  path: string;
  mode: number;
  /** A file's bytes, as offsets into the image; absent for a folder. */
  bytes?: { offset: number; length: number };
}

/**
 * A cluster image (a tar archive of a data directory, pglite-cluster.ts) read once, ready to
 * be laid out in the memory of any number of databases. PGlite's own `loadDataDir` reads the
 * archive again for every database: a copy of it as a Blob, another when reading that back,
 * the tar parsed, and every file looked up again from the root as it is written. That was
 * 150 ms of the 330 ms a database in memory took to start, and most of its garbage. Here
 * each database gets one copy of the archive's bytes, and each of its files is that copy's
 * slice, handed to Emscripten's file system to own (no further copy).
 */
export class ClusterImageFiles {
  readonly #archive: Uint8Array;
  readonly #entries: ImageEntry[];

  /** Throws when `archive` is not a whole tar archive of folders and files (cut short, say). */
  constructor(archive: Uint8Array) {
    // A copy with a buffer of its own: the offsets below are into that buffer, and its
    // `slice` copies (a Node Buffer's `slice` is a view: databases would share their files).
    this.#archive = new Uint8Array(archive);
    this.#entries = imageEntries(this.#archive);
  }

  /** A file system for one new PGlite instance, holding this image in its data directory. */
  fileSystem(): MemoryFS {
    return new ImageMemoryFs((fs, dataDir) => this.#layOut(fs, dataDir));
  }

  #layOut(fs: EmscriptenFs, dataDir: string): void {
    const copy = this.#archive.slice();
    fs.mkdirTree(dataDir, 0o700);
    // A tar archive lists each folder before what it holds.
    for (const { path, mode, bytes } of this.#entries) {
      const target = `${dataDir}/${path}`;
      if (!bytes) fs.mkdir(target, mode);
      else
        fs.writeFile(target, copy.subarray(bytes.offset, bytes.offset + bytes.length), {
          mode,
          canOwn: true,
        });
    }
  }
}

/** PGlite's file system in memory, its data directory laid out before PostgreSQL starts. */
class ImageMemoryFs extends MemoryFS {
  constructor(private readonly layOut: (fs: EmscriptenFs, dataDir: string) => void) {
    super();
  }

  override async init(pg: Parameters<MemoryFS['init']>[0], options: ModuleOptions) {
    const { emscriptenOpts } = await super.init(pg, options);
    // PGlite's own steps before this one set PGDATA; finding PG_VERSION there, it starts
    // the cluster instead of running initdb.
    const layOut = (mod: { FS: EmscriptenFs; ENV: Record<string, string | undefined> }) => {
      const dataDir = mod.ENV.PGDATA;
      if (!dataDir) throw new Error('PGlite named no data directory (PGDATA) before starting');
      this.layOut(mod.FS, dataDir);
    };
    return {
      emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), layOut] },
    };
  }
}

/** The archive's folders and files, in its order (each folder before what it holds). */
function imageEntries(archive: Uint8Array): ImageEntry[] {
  let items: ReturnType<typeof parseTar>;
  try {
    items = parseTar(archive);
  } catch (cause) {
    // A header promising more bytes than are left: the archive was cut short.
    throw new Error(`the image is not a whole tar archive: ${(cause as Error).message}`, {
      cause,
    });
  }
  const entries = items.map((item): ImageEntry => {
    const path = item.name.replace(/\/+$/, '');
    const mode = Number.parseInt(item.attrs?.mode ?? '', 8);
    if (!path || Number.isNaN(mode))
      throw new Error('the image has an entry without a name or mode');
    if (item.type === 'directory') return { path, mode };
    if (item.type !== 'file') throw new Error(`the image's ${path} is a ${item.type}`);
    const data = 'data' in item ? item.data : undefined;
    const { byteOffset: offset = 0, byteLength: length = 0 } = data ?? {};
    if (length !== item.size) throw new Error(`the image ends inside ${path}`);
    return { path, mode, bytes: { offset, length } };
  });
  for (const needed of ['PG_VERSION', 'global/pg_control'])
    if (!entries.some((e) => e.path === needed))
      throw new Error(`the image has no ${needed}: it is not a whole cluster`);
  return entries;
}
