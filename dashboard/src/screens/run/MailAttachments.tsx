/**
 * The attachments of the e-mail a run started from (a `mail.received` event names them by
 * id): each a download link to GET /api/v1/mail/attachments/:id, with its type and size; one
 * over the size limit is named, not linked (its content was not kept).
 */
interface Attachment {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  kept: boolean;
}

function attachmentsOf(input: unknown): Attachment[] {
  const list = (input as { attachments?: unknown } | null)?.attachments;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (a): a is Attachment =>
      typeof a === 'object' &&
      a !== null &&
      typeof (a as Attachment).id === 'string' &&
      /^\d{1,18}$/.test((a as Attachment).id) &&
      typeof (a as Attachment).filename === 'string',
  );
}

const kb = (bytes: number) =>
  bytes < 1024 ? `${bytes} bytes` : `${Math.round((bytes / 1024) * 10) / 10} KB`;

export function MailAttachments({ input }: { input: unknown }) {
  const attachments = attachmentsOf(input);
  if (attachments.length === 0) return null;
  return (
    <>
      <h3>Attachments</h3>
      <ul aria-label="E-mail attachments">
        {attachments.map((a) => (
          <li key={a.id} data-attachment={a.id}>
            {a.kept ? (
              <a href={`/api/v1/mail/attachments/${a.id}`} download={a.filename}>
                {a.filename}
              </a>
            ) : (
              <span>{a.filename}</span>
            )}{' '}
            <span className="muted small">
              {a.content_type}, {kb(a.size)}
              {!a.kept && ': over the size limit, not kept'}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
