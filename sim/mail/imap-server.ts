/**
 * A small IMAP4rev1 server on 127.0.0.1 (RFC 3501), for the tests and the demo: enough for
 * imapflow and for a person with a raw socket. One user; folders of messages held in memory.
 *
 * Speaks: CAPABILITY, NOOP, LOGOUT, LOGIN (quoted or literal), SELECT, EXAMINE, LIST,
 * CLOSE, SEARCH/UID SEARCH (ALL, SEEN, UNSEEN, DELETED, UID <set>, a sequence set, NOT),
 * FETCH/UID FETCH (UID, FLAGS, RFC822.SIZE, INTERNALDATE, BODY[], BODY.PEEK[], RFC822),
 * STORE/UID STORE (FLAGS, +FLAGS, -FLAGS, .SILENT), COPY/UID COPY, MOVE/UID MOVE (RFC 6851,
 * unless `move: false`), EXPUNGE and UID EXPUNGE (RFC 4315). No TLS, no IDLE.
 *
 * Its failures, on demand: LOGIN answered NO [AUTHENTICATIONFAILED] for a wrong password
 * (or every login, `refuseLogins`); `dropOn(command)` closes the connection at the next such
 * command, after half of its answer; `bye()` sends BYE and closes every connection;
 * `renumber(folder)` gives the folder a new UIDVALIDITY and new UIDs. The contract is in
 * sim/mail/README.md; test/unit/imap-sim-transcripts.test.ts checks it against transcripts.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Session } from './imap-commands.ts';

export interface SimMessage {
  uid: number;
  flags: Set<string>;
  raw: Buffer;
  internalDate: Date;
}

export interface SimFolder {
  uidValidity: number;
  uidNext: number;
  messages: SimMessage[];
}

export interface ImapSimOptions {
  user: string;
  password: string;
  /** Folders besides INBOX. */
  folders?: string[];
  /** Advertise and answer MOVE (default true); without it a client copies and expunges. */
  move?: boolean;
  port?: number;
}

export class ImapSimulator {
  readonly folders = new Map<string, SimFolder>();
  /** Every line received and sent, in order ("C: " and "S: "; literals shown by size). */
  readonly transcript: string[] = [];
  readonly #o: ImapSimOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #validity = 1_000;
  #drops: { command: string; skip: number }[] = [];
  refuseLogins = false;
  logins = 0;

  private constructor(o: ImapSimOptions) {
    this.#o = o;
    for (const name of ['INBOX', ...(o.folders ?? [])]) this.#create(name);
    this.#server = createServer((socket) => this.#serve(socket));
  }

  static async start(o: ImapSimOptions): Promise<ImapSimulator> {
    const sim = new ImapSimulator(o);
    await new Promise<void>((resolve, reject) => {
      sim.#server.once('error', reject);
      sim.#server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
    });
    return sim;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get capabilities(): string {
    return `IMAP4rev1 UIDPLUS${this.#o.move === false ? '' : ' MOVE'}`;
  }

  /** Delivers a message to a folder (as the mail server would); answers its UID. */
  append(folder: string, raw: Buffer | string, flags: string[] = []): number {
    const f = this.#folder(folder);
    const uid = f.uidNext++;
    f.messages.push({
      uid,
      flags: new Set(flags),
      raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw.replace(/\r?\n/g, '\r\n')),
      internalDate: new Date(),
    });
    return uid;
  }

  /** The server renumbers a folder: a new UIDVALIDITY, UIDs from 1 again. */
  renumber(folder: string): number {
    const f = this.#folder(folder);
    f.uidValidity = ++this.#validity;
    f.messages.forEach((m, i) => (m.uid = i + 1));
    f.uidNext = f.messages.length + 1;
    return f.uidValidity;
  }

  /**
   * A later command of this name (FETCH, STORE, SELECT, ...; UID FETCH counts as FETCH),
   * after `skip` more of them were answered, gets half its answer, then the socket closes.
   */
  dropOn(command: string, skip = 0): void {
    this.#drops.push({ command: command.toUpperCase(), skip });
  }

  /** Shuts every open connection with an untagged BYE. */
  bye(): void {
    for (const s of this.#sockets) {
      s.write('* BYE Server shutting down\r\n');
      s.end();
    }
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #create(name: string): SimFolder {
    const f: SimFolder = { uidValidity: ++this.#validity, uidNext: 1, messages: [] };
    this.folders.set(name, f);
    return f;
  }

  #folder(name: string): SimFolder {
    const f = this.folders.get(name.toUpperCase() === 'INBOX' ? 'INBOX' : name);
    if (!f) throw new Error(`no folder ${name}`);
    return f;
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    const session: Session = new Session(socket, {
      transcript: this.transcript,
      refuseLogins: () => this.refuseLogins,
      loggedIn: () => this.logins++,
      capabilities: this.capabilities,
      move: this.#o.move !== false,
      user: this.#o.user,
      password: this.#o.password,
      takeDrop: (cmd) => {
        const i = this.#drops.findIndex((d) => d.command === cmd);
        if (i < 0) return false;
        if (this.#drops[i]!.skip-- > 0) return false;
        this.#drops.splice(i, 1);
        return true;
      },
      folder: (name) => this.folders.get(name.toUpperCase() === 'INBOX' ? 'INBOX' : name),
      folderNames: () => [...this.folders.keys()],
    });
    session.send(`* OK [CAPABILITY ${this.capabilities}] Crossdock IMAP simulator ready`);
  }
}
