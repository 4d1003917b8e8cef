/**
 * The partner's inbox folder (what an SFTP server or a VAN mailbox presents), scanned at the
 * partner's `poll_interval_ms` (decision 0051: fs.watch misses changes on network mounts and
 * differs by platform; a scan sees every file whatever wrote it).
 *
 * A file is taken only when complete: names a writer uses while it writes (starting with ".",
 * ending in .tmp, .part, .partial or .filepart) are skipped until renamed, and any other file
 * must keep the same size and modification time for the partner's `settle_ms` (by the
 * injected clock, between scans) before it is read.
 *
 * Crash consistency: the interchange, its 997/TA1 and its events are committed by
 * receiveInterchange before the file is moved out of the inbox (to `archive`, or to `error`
 * when it was rejected or could not be read). A crash, or a failed move, between the two
 * leaves the file in the inbox; the next scan reads it again, the store recognises the
 * interchange by its control numbers (`duplicate`) and redoes nothing, and the file is moved
 * then. A file that cannot be read as an interchange opens a case (event `edi.file.rejected`,
 * keyed by the file's sha256, so the same bytes twice are one case).
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../engine/index.ts';
import { toCrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import { privateDirectory } from '../../store/index.ts';
import type { EdiFolders, EdiPartner } from './config.ts';
import { receiveInterchange, type InboundDeps, type ReceiveOutcome } from './inbound.ts';

/** Names writers give a file while it is incomplete (SFTP clients, VAN agents). */
const IN_PROGRESS = /^\.|\.(tmp|part|partial|filepart)$/i;
/** Errors that mean the file is not a usable interchange (as opposed to the store being down). */
const BAD_FILE = new Set(['EDI_INTERCHANGE_UNREADABLE', 'EDI_INTERCHANGE_MISADDRESSED']);

export interface FileTaken {
  partner: string;
  file: string;
  /** Where it was moved. */
  movedTo: string;
  outcome: ReceiveOutcome | { error: string; code: string };
}

export interface FolderInboxDeps extends InboundDeps {
  clock: Clock;
  logger: Logger;
}

interface Sighting {
  size: number;
  mtimeMs: number;
  sinceMs: number;
}

export class EdiFolderInbox {
  readonly #deps: FolderInboxDeps;
  readonly #partners: (EdiPartner & { folder: EdiFolders })[];
  readonly #seen = new Map<string, Sighting>();
  /** Each partner's next scan: one pending timer per partner, replaced at each scan. */
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #running = false;
  #scans = new Set<Promise<unknown>>();

  constructor(partners: readonly EdiPartner[], deps: FolderInboxDeps) {
    this.#deps = deps;
    this.#partners = partners.filter((p): p is EdiPartner & { folder: EdiFolders } =>
      Boolean(p.folder),
    );
  }

  get partners(): readonly string[] {
    return this.#partners.map((p) => p.code);
  }

  /** Creates the folders that are missing (0700), then scans each inbox at its interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const p of this.#partners) {
      this.#ensureFolders(p);
      const tick = () => {
        if (!this.#running) return;
        const scan = this.scanPartner(p.code)
          .catch((error) =>
            this.#deps.logger.error({ err: error, partner: p.code }, 'EDI inbox scan failed'),
          )
          .finally(() => {
            this.#scans.delete(scan);
            if (this.#running) this.#timers.set(p.code, setTimeout(tick, p.folder.pollIntervalMs));
          });
        this.#scans.add(scan);
      };
      tick();
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.all([...this.#scans]);
  }

  /** One scan of every partner's inbox; answers the files taken. */
  async scanOnce(): Promise<FileTaken[]> {
    const taken: FileTaken[] = [];
    for (const p of this.#partners) taken.push(...(await this.scanPartner(p.code)));
    return taken;
  }

  async scanPartner(code: string): Promise<FileTaken[]> {
    const partner = this.#partners.find((p) => p.code === code);
    if (!partner) return [];
    this.#ensureFolders(partner);
    const taken: FileTaken[] = [];
    for (const name of this.#completeFiles(partner)) {
      try {
        taken.push(await this.#take(partner, name));
      } catch (error) {
        // Left in the inbox: the next scan takes it again (a repeat is a duplicate).
        this.#deps.logger.error(
          { err: error, partner: partner.code, file: name },
          'EDI file not taken; it stays in the inbox for the next scan',
        );
      }
    }
    return taken;
  }

  #ensureFolders(p: { folder: EdiFolders }): void {
    for (const dir of [p.folder.inbox, p.folder.outbox, p.folder.archive, p.folder.error])
      if (!existsSync(dir)) privateDirectory(dir);
  }

  /** The inbox's files that are complete now, oldest sighting first. */
  #completeFiles(partner: EdiPartner & { folder: EdiFolders }): string[] {
    const nowMs = this.#deps.clock.now().getTime();
    const listed = new Set<string>();
    const ready: string[] = [];
    for (const name of readdirSync(partner.folder.inbox).sort()) {
      if (IN_PROGRESS.test(name)) continue;
      const stat = lstatSync(join(partner.folder.inbox, name), { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      const key = `${partner.code}/${name}`;
      listed.add(key);
      const before = this.#seen.get(key);
      if (!before || before.size !== stat.size || before.mtimeMs !== stat.mtimeMs) {
        this.#seen.set(key, { size: stat.size, mtimeMs: stat.mtimeMs, sinceMs: nowMs });
        if (partner.folder.settleMs > 0) continue;
      } else if (nowMs - before.sinceMs < partner.folder.settleMs) continue;
      ready.push(name);
    }
    for (const key of this.#seen.keys())
      if (key.startsWith(`${partner.code}/`) && !listed.has(key)) this.#seen.delete(key);
    return ready;
  }

  async #take(partner: EdiPartner & { folder: EdiFolders }, name: string): Promise<FileTaken> {
    const path = join(partner.folder.inbox, name);
    const bytes = readFileSync(path);
    let outcome: FileTaken['outcome'];
    try {
      outcome = await receiveInterchange(this.#deps, partner, bytes.toString('utf8'));
    } catch (thrown) {
      const error = toCrossdockError(thrown);
      if (!BAD_FILE.has(error.code)) throw error;
      await this.#deps.accept({
        source: `edi.${partner.code}`,
        type: 'edi.file.rejected',
        key: `file:${createHash('sha256').update(bytes).digest('hex')}`,
        payload: {
          partner: partner.code,
          partner_name: partner.name,
          file: name,
          code: error.code,
          message: error.message,
        },
      });
      outcome = { code: error.code, error: error.message };
    }
    const rejected = 'error' in outcome || outcome.status === 'rejected';
    const movedTo = this.#move(
      path,
      rejected ? partner.folder.error : partner.folder.archive,
      name,
    );
    this.#seen.delete(`${partner.code}/${name}`);
    this.#deps.logger.info(
      { partner: partner.code, file: name, movedTo },
      rejected ? 'EDI file rejected' : 'EDI file received',
    );
    return { partner: partner.code, file: name, movedTo, outcome };
  }

  /** Moves the file under a name that says when it was taken; never over another file. */
  #move(path: string, dir: string, name: string): string {
    if (!existsSync(dir)) privateDirectory(dir);
    const stamp = this.#deps.clock.now().toISOString().replace(/[-:.]/g, '');
    let target = join(dir, `${stamp}-${name}`);
    for (let n = 1; existsSync(target); n++) target = join(dir, `${stamp}-${n}-${name}`);
    try {
      renameSync(path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      copyFileSync(path, target);
      rmSync(path);
    }
    return target;
  }
}
