/**
 * The IMAP simulator (sim/mail) against transcripts written from RFC 3501's grammar
 * (test/fixtures/imap, whose README says how they read), over a raw socket: not through
 * imapflow, so the simulator cannot merely agree with the client it serves.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ImapSimulator } from '../../sim/mail/index.ts';

const DIR = join(import.meta.dirname, '../fixtures/imap');
const USER = 'ops@crossdock.test';
const PASSWORD = 'pa55 "word" 7';
const MESSAGE = Buffer.from('Subject: t\r\nMessage-ID: <t@x>\r\n\r\nhello!!\r\n'); // 42 bytes

/** Reads the server's lines, and a literal's bytes when a line announces one ({n}). */
class Reader {
  #buffer = Buffer.alloc(0);
  #waiting: (() => void) | null = null;
  closed = false;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#waiting?.();
    });
  }

  async #until(ready: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!ready()) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within 5 s`);
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  async line(): Promise<string> {
    await this.#until(() => this.#buffer.includes('\r\n'), 'line');
    const end = this.#buffer.indexOf('\r\n');
    const text = this.#buffer.subarray(0, end).toString('utf8');
    this.#buffer = this.#buffer.subarray(end + 2);
    return text;
  }

  async bytes(n: number): Promise<Buffer> {
    await this.#until(() => this.#buffer.length >= n, `${n} bytes of literal`);
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }
}

async function play(file: string): Promise<string[]> {
  const sim = await ImapSimulator.start({
    user: USER,
    password: PASSWORD,
    folders: ['Archive'],
    move: file !== 'copy-expunge.txt',
  });
  sim.append('INBOX', MESSAGE);
  const fill = (text: string) =>
    text
      .replaceAll('{user}', USER)
      .replaceAll(
        '{password}',
        file === 'select-fetch-store.txt' ? PASSWORD : PASSWORD.replace(/["\\]/g, (c) => `\\${c}`),
      )
      .replaceAll('{validity}', String(sim.folders.get('INBOX')!.uidValidity))
      .replaceAll('{size}', String(Buffer.byteLength(PASSWORD)));
  const socket = connect(sim.port, '127.0.0.1');
  const reader = new Reader(socket);
  const seen: string[] = [];
  let literal = 0;
  try {
    for (const raw of readFileSync(join(DIR, file), 'utf8').split('\n')) {
      if (raw.trim() === '' || raw.startsWith('#')) continue;
      const [kind, text] = [raw.slice(0, 2), raw.slice(3)];
      if (kind === 'C:') {
        socket.write(`${fill(text)}\r\n`);
        continue;
      }
      assert.equal(kind, 'S:', `${file}: a line is C:, S: or a # comment: ${raw}`);
      if (text === '<literal>') {
        assert.ok(literal > 0, `${file}: a literal was announced`);
        assert.deepEqual(await reader.bytes(literal), MESSAGE);
        literal = 0;
        continue;
      }
      const got = literal === 0 ? await reader.line() : '';
      seen.push(got);
      assert.match(got, new RegExp(`^${fill(text)}$`), `${file}: answered "${got}"`);
      literal = Number(/\{(\d+)\}$/.exec(got)?.[1] ?? 0);
    }
    return seen;
  } finally {
    socket.destroy();
    await sim.close();
  }
}

describe('the IMAP simulator, against RFC 3501 transcripts', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
  test('there are transcripts to play', () => assert.ok(files.length >= 4));
  for (const file of files)
    test(file, async () => {
      const seen = await play(file);
      assert.ok(seen.length > 3);
    });

  test('its failures on demand: a FETCH cut in its literal, BYE to every connection', async () => {
    const sim = await ImapSimulator.start({ user: USER, password: PASSWORD });
    sim.append('INBOX', MESSAGE);
    try {
      const socket = connect(sim.port, '127.0.0.1');
      const reader = new Reader(socket);
      await reader.line();
      socket.write(`e1 LOGIN ${USER} "${PASSWORD.replace(/["\\]/g, (c) => `\\${c}`)}"\r\n`);
      assert.match(await reader.line(), /^e1 OK /);
      socket.write('e2 EXAMINE INBOX\r\n');
      while (!(await reader.line()).startsWith('e2 ')) continue;
      sim.dropOn('FETCH');
      socket.write('e3 UID FETCH 1 (BODY.PEEK[])\r\n');
      assert.match(await reader.line(), /^\* 1 FETCH \(UID 1 BODY\[\] \{42\}$/);
      await assert.rejects(reader.bytes(42), /connection closed/);

      const other = connect(sim.port, '127.0.0.1');
      const second = new Reader(other);
      await second.line();
      sim.bye();
      assert.match(await second.line(), /^\* BYE /);
      other.destroy();
    } finally {
      await sim.close();
    }
  });

  test('a new UIDVALIDITY renumbers the folder from 1', async () => {
    const sim = await ImapSimulator.start({ user: USER, password: PASSWORD });
    try {
      sim.append('INBOX', MESSAGE);
      sim.append('INBOX', MESSAGE);
      const before = sim.folders.get('INBOX')!.uidValidity;
      sim.folders.get('INBOX')!.messages.shift();
      const after = sim.renumber('INBOX');
      assert.ok(after > before);
      assert.deepEqual(
        sim.folders.get('INBOX')!.messages.map((m) => m.uid),
        [1],
      );
      assert.equal(sim.folders.get('INBOX')!.uidNext, 2);
    } finally {
      await sim.close();
    }
  });
});
