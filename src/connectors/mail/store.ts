/**
 * The owner of `mail_attachments` (docs/ARCHITECTURE.md, "Data layer"): the attachments of
 * messages received on the SMTP endpoint, written before the message's event, which names
 * them by id; read back by id.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { MailPart } from './mime.ts';

export interface StoredAttachment {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  /** False when it was larger than the limit: named and measured, its content not kept. */
  kept: boolean;
}

/**
 * Stores a message's attachments once per (source, message key): a resent message inserts
 * nothing (the unique key keeps the first), and both deliveries get the same rows back.
 */
export async function storeAttachments(
  db: Kysely<Database>,
  message: { source: string; key: string; parts: MailPart[]; maxBytes: number; at: Date },
): Promise<StoredAttachment[]> {
  if (message.parts.length === 0) return [];
  const rows = message.parts.map((p, i) => ({
    source: message.source,
    message_key: message.key,
    part: i + 1,
    filename: p.filename.slice(0, 255),
    content_type: p.contentType.slice(0, 255),
    size_bytes: p.content.length,
    sha256: createHash('sha256').update(p.content).digest('hex'),
    content: p.content.length <= message.maxBytes ? p.content : null,
    received_at: message.at,
  }));
  return db.transaction().execute(async (tx) => {
    await tx
      .insertInto('mail_attachments')
      .values(rows)
      .onConflict((oc) => oc.columns(['source', 'message_key', 'part']).doNothing())
      .execute();
    const stored = await tx
      .selectFrom('mail_attachments')
      .select(['id', 'filename', 'content_type', 'size_bytes', 'sha256'])
      .select((eb) => eb('content', 'is not', null).as('kept'))
      .where('source', '=', message.source)
      .where('message_key', '=', message.key)
      .orderBy('part')
      .execute();
    return stored.map((r) => ({
      id: r.id,
      filename: r.filename,
      content_type: r.content_type,
      size: r.size_bytes,
      sha256: r.sha256,
      kept: Boolean(r.kept),
    }));
  });
}

export interface AttachmentContent {
  id: string;
  source: string;
  messageKey: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Null when the attachment was over the size limit. */
  content: Buffer | null;
}

export async function readAttachment(
  db: Kysely<Database>,
  id: string,
): Promise<AttachmentContent | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const row = await db
    .selectFrom('mail_attachments')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    source: row.source,
    messageKey: row.message_key,
    filename: row.filename,
    contentType: row.content_type,
    size: row.size_bytes,
    sha256: row.sha256,
    content: row.content === null ? null : Buffer.from(row.content),
  };
}
