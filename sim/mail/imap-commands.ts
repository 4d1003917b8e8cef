/**
 * One client connection of the IMAP simulator (sim/mail/imap-server.ts): reads command lines
 * with their literals, and answers each command as RFC 3501 says, by connection state.
 */
import type { Socket } from 'node:net';
import { asText, imapDate, quote, tokenize, type Token } from './imap-protocol.ts';
import { messagesIn, searchMessages } from './imap-search.ts';
import type { SimFolder, SimMessage } from './imap-server.ts';

type State = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export interface SessionOptions {
  transcript: string[];
  capabilities: string;
  move: boolean;
  user: string;
  password: string;
  refuseLogins(): boolean;
  loggedIn(): void;
  takeDrop(cmd: string): boolean;
  folder(name: string): SimFolder | undefined;
  folderNames(): string[];
}

const COMMANDS = new Set(
  'CAPABILITY NOOP LOGOUT LOGIN SELECT EXAMINE LIST LSUB CLOSE SEARCH FETCH STORE COPY MOVE EXPUNGE'.split(
    ' ',
  ),
);
const FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

class Refusal extends Error {
  constructor(
    readonly status: 'NO' | 'BAD',
    message: string,
  ) {
    super(message);
  }
}
const bad = (message: string) => new Refusal('BAD', message);

/** What a selection or search refuses is a BAD answer to the command that asked for it. */
function refusedAsBad<T>(pick: () => T): T {
  try {
    return pick();
  } catch (error) {
    throw bad((error as Error).message);
  }
}

export class Session {
  state: State = 'not-authenticated';
  selected: { name: string; folder: SimFolder; readOnly: boolean; known: number } | null = null;
  #buffer = Buffer.alloc(0);
  #pending: { text: string; literals: Buffer[] } | null = null;
  #need = 0;

  constructor(
    readonly socket: Socket,
    readonly o: SessionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
  }

  send(line: string | Buffer): void {
    if (this.socket.destroyed) return;
    this.socket.write(Buffer.isBuffer(line) ? line : `${line}\r\n`);
    this.o.transcript.push(`S: ${Buffer.isBuffer(line) ? `<${line.length} bytes>` : line}`);
  }

  /** Lines end in CRLF; a line ending in {n} is followed by n bytes of literal, then more line. */
  #read(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.state !== 'logout') {
      if (this.#need > 0) {
        if (this.#buffer.length < this.#need) return;
        this.#pending!.literals.push(this.#buffer.subarray(0, this.#need));
        this.#buffer = this.#buffer.subarray(this.#need);
        this.#need = 0;
        continue;
      }
      const end = this.#buffer.indexOf('\r\n');
      if (end < 0) return;
      const line = this.#buffer.subarray(0, end).toString('utf8');
      this.#buffer = this.#buffer.subarray(end + 2);
      const pending = (this.#pending ??= { text: '', literals: [] });
      this.o.transcript.push(`C: ${line.replace(/^(\S+ LOGIN \S+) .+$/i, '$1 ***')}`);
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal) {
        pending.text += `${line.slice(0, literal.index)}\u0000`;
        this.#need = Number(literal[1]);
        if (this.#need === 0) pending.literals.push(Buffer.alloc(0));
        this.send('+ Ready for literal data');
        continue;
      }
      pending.text += line;
      this.#pending = null;
      this.#run(pending.text, pending.literals);
    }
  }

  #run(text: string, literals: Buffer[]): void {
    const m = /^([^\s(){%*"\\\]]+) ([A-Za-z]+)(?: (.*))?$/s.exec(text);
    if (!m) return this.send(`* BAD Command line not understood`);
    const [, tag, verb, rest] = m as unknown as [string, string, string, string | undefined];
    let command = verb.toUpperCase();
    try {
      let args = tokenize(rest ?? '', literals);
      let uid = false;
      if (command === 'UID') {
        uid = true;
        command = (asText(args[0]) ?? '').toUpperCase();
        args = args.slice(1);
        if (!['FETCH', 'SEARCH', 'STORE', 'COPY', 'MOVE', 'EXPUNGE'].includes(command))
          throw bad(`UID ${command} is not a UID command`);
      }
      if (!COMMANDS.has(command)) throw bad(`Unknown command ${command}`);
      if (this.o.takeDrop(command)) return this.#drop(command, args, uid);
      const ok = this.#dispatch(command, args, uid);
      if (this.state === 'logout') {
        this.send(`${tag} OK LOGOUT completed`);
        this.socket.end();
        return;
      }
      this.send(`${tag} OK ${ok}`);
    } catch (error) {
      if (error instanceof Refusal) return this.send(`${tag} ${error.status} ${error.message}`);
      this.send(`${tag} BAD ${(error as Error).message}`);
    }
  }

  /** Half an answer (a FETCH cut inside its literal), then the connection is gone. */
  #drop(command: string, args: Token[], uid: boolean): void {
    const sel = this.selected;
    const [m] = command === 'FETCH' && sel ? this.#messages(asText(args[0]), uid) : [];
    if (m && sel) {
      const head = `* ${sel.folder.messages.indexOf(m) + 1} FETCH (UID ${m.uid} BODY[] {${m.raw.length}}\r\n`;
      this.send(Buffer.concat([Buffer.from(head), m.raw.subarray(0, m.raw.length >> 1)]));
    }
    this.socket.destroy();
  }

  #dispatch(command: string, args: Token[], uid: boolean): string {
    const s = this.state;
    const need = (states: State[]) => {
      if (!states.includes(s)) throw bad(`${command} is not valid in this state`);
    };
    switch (command) {
      case 'CAPABILITY':
        this.send(`* CAPABILITY ${this.o.capabilities}`);
        return 'CAPABILITY completed';
      case 'NOOP':
        this.#exists();
        return 'NOOP completed';
      case 'LOGOUT':
        this.send('* BYE Logging out');
        this.state = 'logout';
        return '';
      case 'LOGIN':
        need(['not-authenticated']);
        return this.#login(args);
    }
    need(['authenticated', 'selected']);
    switch (command) {
      case 'SELECT':
      case 'EXAMINE':
        return this.#select(args, command === 'EXAMINE');
      case 'LIST':
      case 'LSUB': // every folder counts as subscribed
        return this.#list(command, args);
    }
    need(['selected']);
    const sel = this.selected!;
    switch (command) {
      case 'CLOSE':
        if (!sel.readOnly) this.#expunge(sel.folder.messages, false);
        this.selected = null;
        this.state = 'authenticated';
        return 'CLOSE completed';
      case 'SEARCH':
        this.send(
          `* SEARCH${this.#search(args, uid)
            .map((n) => ` ${n}`)
            .join('')}`,
        );
        return `${uid ? 'UID ' : ''}SEARCH completed`;
      case 'FETCH':
        this.#fetch(args, uid);
        return `${uid ? 'UID ' : ''}FETCH completed`;
      case 'STORE':
        this.#store(args, uid);
        return `${uid ? 'UID ' : ''}STORE completed`;
      case 'COPY':
        return this.#copy(args, uid, false);
      case 'MOVE':
        if (!this.o.move) throw bad('MOVE is not supported');
        return this.#copy(args, uid, true);
      case 'EXPUNGE': {
        if (sel.readOnly) throw new Refusal('NO', 'Mailbox is read-only');
        const only = uid ? new Set(this.#messages(asText(args[0]), true)) : null;
        this.#expunge(only ? [...only] : sel.folder.messages, true);
        return 'EXPUNGE completed';
      }
    }
    throw bad(`Unknown command ${command}`);
  }

  #login(args: Token[]): string {
    const user = asText(args[0]);
    const password = asText(args[1]);
    if (user === null || password === null || args.length !== 2)
      throw bad('LOGIN takes a user name and a password');
    if (this.o.refuseLogins() || user !== this.o.user || password !== this.o.password)
      throw new Refusal('NO', '[AUTHENTICATIONFAILED] Invalid credentials');
    this.o.loggedIn();
    this.state = 'authenticated';
    return `[CAPABILITY ${this.o.capabilities}] LOGIN completed`;
  }

  #select(args: Token[], readOnly: boolean): string {
    const name = asText(args[0]);
    const folder = name === null ? undefined : this.o.folder(name);
    this.selected = null;
    this.state = 'authenticated';
    if (!folder || name === null) throw new Refusal('NO', '[NONEXISTENT] Mailbox does not exist');
    this.selected = { name, folder, readOnly, known: folder.messages.length };
    this.state = 'selected';
    this.send(`* FLAGS (${FLAGS})`);
    this.send(`* OK [PERMANENTFLAGS (${readOnly ? '' : `${FLAGS} \\*`})] Flags permitted`);
    this.send(`* ${folder.messages.length} EXISTS`);
    this.send('* 0 RECENT');
    this.send(`* OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid`);
    this.send(`* OK [UIDNEXT ${folder.uidNext}] Predicted next UID`);
    return `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${readOnly ? 'EXAMINE' : 'SELECT'} completed`;
  }

  #list(command: string, args: Token[]): string {
    const pattern = asText(args[1]);
    if (asText(args[0]) === null || pattern === null)
      throw bad('LIST takes a reference and a pattern');
    if (pattern === '') {
      this.send(`* ${command} (\\Noselect) "/" ""`);
      return `${command} completed`;
    }
    const re = new RegExp(
      `^${pattern
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/%/g, '[^/]*')}$`,
      'i',
    );
    for (const name of this.o.folderNames())
      if (re.test(name)) this.send(`* ${command} () "/" ${quote(name)}`);
    return `${command} completed`;
  }

  /** The messages a set names: by UID, or by sequence number. */
  #messages(set: string | null, uid: boolean): SimMessage[] {
    return refusedAsBad(() => messagesIn(this.selected!.folder.messages, set, uid));
  }

  #search(args: Token[], uid: boolean): number[] {
    return refusedAsBad(() => searchMessages(this.selected!.folder.messages, args, uid));
  }

  #fetch(args: Token[], uid: boolean): void {
    const items = (Array.isArray(args[1]) ? args[1] : [args[1]]).map((t) =>
      (asText(t as Token) ?? '').toUpperCase(),
    );
    const known = [
      'UID',
      'FLAGS',
      'RFC822.SIZE',
      'INTERNALDATE',
      'BODY[]',
      'BODY.PEEK[]',
      'RFC822',
    ];
    const unknown = items.find((i) => !known.includes(i));
    if (unknown !== undefined) throw bad(`Unsupported fetch item ${unknown || '(none)'}`);
    const sel = this.selected!;
    for (const m of this.#messages(asText(args[0]), uid)) {
      const parts: string[] = [];
      if (uid || items.includes('UID')) parts.push(`UID ${m.uid}`);
      const reads = items.includes('BODY[]') || items.includes('RFC822');
      if (reads && !sel.readOnly) m.flags.add('\\Seen');
      if (items.includes('FLAGS') || (reads && !sel.readOnly))
        parts.push(`FLAGS (${[...m.flags].join(' ')})`);
      if (items.includes('RFC822.SIZE')) parts.push(`RFC822.SIZE ${m.raw.length}`);
      if (items.includes('INTERNALDATE')) parts.push(`INTERNALDATE ${imapDate(m.internalDate)}`);
      const body = items.find((i) => i === 'BODY[]' || i === 'BODY.PEEK[]' || i === 'RFC822');
      const seq = sel.folder.messages.indexOf(m) + 1;
      const head = `* ${seq} FETCH (${parts.join(' ')}`;
      if (!body) {
        this.send(`${head})`);
        continue;
      }
      const name = body === 'RFC822' ? 'RFC822' : 'BODY[]';
      const opening = `${head}${parts.length > 0 ? ' ' : ''}${name} {${m.raw.length}}\r\n`;
      this.send(Buffer.concat([Buffer.from(opening), m.raw, Buffer.from(')\r\n')]));
    }
  }

  #store(args: Token[], uid: boolean): void {
    const sel = this.selected!;
    if (sel.readOnly) throw new Refusal('NO', 'Mailbox is read-only');
    const item = (asText(args[1]) ?? '').toUpperCase();
    const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
    if (!m) throw bad(`Unsupported store item ${item || '(none)'}`);
    const flags = (Array.isArray(args[2]) ? args[2] : args.slice(2)).map(
      (f) => asText(f as Token) ?? '',
    );
    for (const msg of this.#messages(asText(args[0]), uid)) {
      if (m[1] === '') msg.flags = new Set(flags);
      for (const f of flags) if (m[1] === '+') msg.flags.add(f);
      for (const f of flags) if (m[1] === '-') msg.flags.delete(f);
      if (!m[2])
        this.send(
          `* ${sel.folder.messages.indexOf(msg) + 1} FETCH (FLAGS (${[...msg.flags].join(' ')})${uid ? ` UID ${msg.uid}` : ''})`,
        );
    }
  }

  #copy(args: Token[], uid: boolean, move: boolean): string {
    const sel = this.selected!;
    const name = asText(args[1]);
    const target = name === null ? undefined : this.o.folder(name);
    if (!target) throw new Refusal('NO', '[TRYCREATE] No such mailbox');
    if (move && sel.readOnly) throw new Refusal('NO', 'Mailbox is read-only');
    const picked = this.#messages(asText(args[0]), uid);
    const copies = picked.map((m) => {
      const copy = {
        uid: target.uidNext++,
        flags: new Set(m.flags),
        raw: m.raw,
        internalDate: m.internalDate,
      };
      target.messages.push(copy);
      return copy.uid;
    });
    const code = `[COPYUID ${target.uidValidity} ${picked.map((m) => m.uid).join(',')} ${copies.join(',')}]`;
    if (!move) return `${code} COPY completed`;
    this.send(`* OK ${code} Moved`);
    this.#expunge(picked, true, true);
    return 'MOVE completed';
  }

  /** Removes messages (flagged \Deleted, unless `any`), with an EXPUNGE answer for each. */
  #expunge(messages: SimMessage[], tell: boolean, any = false): void {
    const all = this.selected!.folder.messages;
    const gone = new Set(messages.filter((m) => any || m.flags.has('\\Deleted')));
    for (let i = 0; i < all.length;)
      if (gone.has(all[i]!)) {
        all.splice(i, 1);
        if (tell) this.send(`* ${i + 1} EXPUNGE`);
      } else i++;
    this.selected!.known = all.length;
  }

  #exists(): void {
    const sel = this.selected;
    if (sel && sel.folder.messages.length !== sel.known) {
      sel.known = sel.folder.messages.length;
      this.send(`* ${sel.known} EXISTS`);
    }
  }
}
