import { actorName, Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { readableSources } from '../source-scope.ts';
import { route } from '../route.ts';

/** A MIME type as `type/subtype` with plain tokens; anything else is sent as bytes. */
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/**
 * The file name as the sender gave it, reduced to a last path segment of printable
 * characters (no directory, no quote, no control character), for Content-Disposition.
 */
export function safeFilename(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  const printable = [...last].filter((c) => c >= ' ' && c !== '\u007f' && c !== '"').join('');
  const trimmed = printable.trim().replace(/^\.+/, '').slice(0, 200);
  return trimmed === '' ? 'attachment' : trimmed;
}

function disposition(name: string): string {
  const ascii = [...name].map((c) => (c >= ' ' && c <= '~' ? c : '_')).join('');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Inbound e-mail's kept attachments (docs/API.md): what a `mail.received` event names by id.
 * Reading one needs what reading its event needs (`events:read`, and a token limited to some
 * sources reads only theirs); every download is in the audit log.
 */
export const mailRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/mail/attachments/:id',
    tag: 'mail',
    access: Permission.eventsRead,
    produces: 'application/octet-stream',
    summary:
      "Download an inbound e-mail's kept attachment, as a file (Content-Disposition: attachment), with its type and size; audited",
    handler: async ({ services, params, principal, reply, request }) => {
      const found = await services.mailAttachment(params.id!);
      const sources = readableSources(principal);
      // Another source's attachment is not theirs to know of: the same 404 as a missing one.
      if (!found || (sources !== null && !sources.includes(found.source)))
        throw new CrossdockError(
          'MAIL_ATTACHMENT_NOT_FOUND',
          `No e-mail attachment ${params.id!.slice(0, 40)}`,
        );
      const filename = safeFilename(found.filename);
      await services.audit.append({
        actor: actorName(principal!),
        action: 'mail.attachment.download',
        target: `mail_attachment:${found.id}`,
        details: {
          source: found.source,
          message: found.messageKey,
          filename,
          size: found.size,
          sha256: found.sha256,
          kept: found.content !== null,
        },
        requestId: request.id,
      });
      if (found.content === null)
        throw new CrossdockError(
          'MAIL_ATTACHMENT_NOT_KEPT',
          `E-mail attachment ${found.id} (${filename}, ${found.size} bytes) was over the size limit when it arrived: it was named and measured, its content not kept`,
        );
      const type = found.contentType.toLowerCase().split(';')[0]!.trim();
      return reply
        .header('content-type', MIME.test(type) ? type : 'application/octet-stream')
        .header('content-disposition', disposition(filename))
        .header('content-length', String(found.content.length))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(found.content);
    },
  }),
];
