/**
 * One poll of one mailbox over one IMAP connection (imapflow, decision 0061): log in, SELECT
 * the folder, take the messages above the last UID taken, in UID order, and log out.
 *
 * Crash consistency, per message: its event is stored (receiveMail: attachments, then the
 * event keyed by its Message-ID) before it is flagged \Seen or moved, and it is flagged or
 * moved before the mark (last UID) moves past it. A crash or a dropped connection anywhere
 * in between leaves the mark behind the message: the next poll takes it again, and the
 * event store answers `duplicate` (same source, same key, same payload), so it is one event;
 * then it is flagged or moved and the mark moves. A mark ahead of a message never happens,
 * so no message is skipped.
 *
 * A new UIDVALIDITY (the server renumbered the folder) puts the mark back to 0: everything
 * in the folder is read again, and each message already taken is a duplicate by its
 * Message-ID (a message without one, by the sha256 of its bytes).
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { isCrossdockError, type CrossdockError } from '../../errors/index.ts';
import type { ImapMailbox } from './imap-config.ts';
import { imapError } from './imap-errors.ts';
import type { ImapMailboxStates, MailboxState } from './imap-state.ts';
import { parseAddresses, parseMail, type ParsedMail } from './mime.ts';
import { messageKeyOf, receiveMail, type ReceiveDeps } from './receive.ts';

export interface SessionDeps extends ReceiveDeps {
  states: ImapMailboxStates;
  /** This process's lease name. */
  owner: string;
  leaseMs: number;
  /** A message refused for good: left in the folder, a case opened, the poll moves on. */
  refused(message: {
    uidValidity: number;
    uid: number;
    subject: string;
    messageKey: string;
    error: CrossdockError;
  }): Promise<void>;
}

export interface SessionOutcome {
  uidValidity: number;
  /** Messages stored as new events in this poll. */
  taken: number;
  duplicates: number;
  refused: number;
  /** The folder was renumbered since the last poll (and is read again). */
  rescanned: boolean;
  /** More messages wait than one poll takes (`batch`). */
  more: boolean;
}

/** The addresses a message was sent to, from its own headers (IMAP has no envelope). */
export function headerRecipients(mail: ParsedMail): string[] {
  const listed = ['to', 'cc'].flatMap((h) => mail.headers.get(h) ?? []).join(', ');
  return [...new Set(parseAddresses(listed).map((a) => a.address.toLowerCase()))];
}

export function imapClientOptions(m: ImapMailbox, password: string): ImapFlowOptions {
  const options: ImapFlowOptions & { doSTARTTLS?: boolean } = {
    host: m.host,
    port: m.port,
    secure: m.tls === 'implicit',
    // starttls: refuse a server that does not offer it, rather than log in in clear.
    doSTARTTLS: m.tls === 'starttls' ? true : m.tls === 'none' ? false : undefined,
    auth: { user: m.user, pass: password },
    // imapflow's own log would carry the protocol; Crossdock logs what it did instead.
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: m.timeoutMs,
    greetingTimeout: m.timeoutMs,
    socketTimeout: m.timeoutMs,
  };
  return options;
}

export async function pollSession(
  deps: SessionDeps,
  m: ImapMailbox,
  state: MailboxState,
  password: string,
): Promise<SessionOutcome> {
  const context = { mailbox: m.name, host: m.host, folder: m.folder, password };
  const client = new ImapFlow(imapClientOptions(m, password));
  // A socket error after a command settled is reported here; the command in flight rejects.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const outcome = await takeMessages(deps, client, m, state);
    await client.logout();
    return outcome;
  } catch (error) {
    throw imapError(error, context);
  } finally {
    client.close();
  }
}

async function takeMessages(
  deps: SessionDeps,
  client: ImapFlow,
  m: ImapMailbox,
  state: MailboxState,
): Promise<SessionOutcome> {
  const folder = await client.mailboxOpen(m.folder);
  const uidValidity = Number(folder.uidValidity);
  const rescanned = state.uidValidity !== null && state.uidValidity !== uidValidity;
  let mark = state.uidValidity === uidValidity ? state.lastUid : 0;
  if (state.uidValidity !== uidValidity)
    await deps.states.restart(m.name, deps.owner, uidValidity, deps.now());
  // "n:*" names the highest UID even when it is below n (RFC 3501 6.4.8): keep those above.
  const found = (await client.search({ uid: `${mark + 1}:*` }, { uid: true })) || [];
  const uids = found.filter((u) => u > mark).sort((a, b) => a - b);
  const outcome = { uidValidity, taken: 0, duplicates: 0, refused: 0, rescanned, more: false };
  outcome.more = uids.length > m.batch;
  for (const uid of uids.slice(0, m.batch)) {
    const result = await takeOne(deps, client, m, uidValidity, uid);
    outcome[result]++;
    mark = uid;
    await deps.states.advance(
      m.name,
      deps.owner,
      { uidValidity, uid: mark, taken: result === 'taken' ? 1 : 0 },
      deps.now(),
    );
    // The lease runs from now again: a long poll keeps it, a dead process loses it.
    await deps.states.claim(m.name, deps.owner, deps.now(), leaseEnd(deps));
  }
  return outcome;
}

const leaseEnd = (deps: SessionDeps) => new Date(deps.now().getTime() + deps.leaseMs);

async function takeOne(
  deps: SessionDeps,
  client: ImapFlow,
  m: ImapMailbox,
  uidValidity: number,
  uid: number,
): Promise<'taken' | 'duplicates' | 'refused'> {
  const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
  // Expunged since the search: there is nothing left to take.
  if (!message || !message.source) return 'duplicates';
  const raw = message.source;
  try {
    const received = await receiveMail(deps, {
      mailbox: m.name,
      raw,
      recipients: headerRecipients,
      maxAttachmentBytes: m.maxAttachmentBytes,
    });
    await afterIntake(client, m, uid);
    return received.duplicate ? 'duplicates' : 'taken';
  } catch (error) {
    // Only a refusal for good (a trigger's schema, too large) moves past the message; the
    // store failing, or the connection, fails the poll and the message is taken next time.
    if (!isCrossdockError(error) || error.category !== 'user') throw error;
    const mail = parseMail(raw);
    await deps.refused({
      uidValidity,
      uid,
      subject: mail.subject.slice(0, 200),
      messageKey: messageKeyOf(mail, raw),
      error,
    });
    return 'refused';
  }
}

/**
 * Flags or moves a message whose event is stored; repeating it is harmless. imapflow answers
 * false rather than throwing when either fails: the connection gone, or the server said NO.
 */
async function afterIntake(client: ImapFlow, m: ImapMailbox, uid: number): Promise<void> {
  const done =
    m.afterIntake.action === 'seen'
      ? await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
      : await client.messageMove(String(uid), m.afterIntake.folder, { uid: true });
  if (done !== false) return;
  const what =
    m.afterIntake.action === 'seen'
      ? `message ${uid} not flagged \\Seen`
      : `message ${uid} not moved to "${m.afterIntake.folder}" (does the folder exist?)`;
  throw imapError(
    !client.usable
      ? { code: 'NoConnection', message: what }
      : { code: m.afterIntake.action === 'move' ? 'NotFound' : 'StoreRefused', message: what },
    {
      mailbox: m.name,
      host: m.host,
      folder: m.afterIntake.action === 'move' ? m.afterIntake.folder : m.folder,
    },
  );
}
