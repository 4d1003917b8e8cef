/**
 * Downloading an inbound e-mail's kept attachment over the API: the bytes as received, with
 * their type, size and a file name that names no directory; refused to a role that may not
 * read events, hidden from a token limited to other sources, a missing or malformed id a 404,
 * one over the size limit 410; every download in the audit log. Both stores.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { storeAttachments } from '../../src/connectors/mail/index.ts';
import { startTestApi, type TestApi } from './support.ts';

let x: TestApi;
let pdf: { id: string };
let big: { id: string };
let html: { id: string };
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300, 7)]);

before(async () => {
  x = await startTestApi();
  const stored = await storeAttachments(x.engine.store.db, {
    source: 'mail.suppliers',
    key: '<delay-1@supplier.example>',
    maxBytes: 1000,
    at: new Date('2026-03-02T09:00:00Z'),
    parts: [
      {
        filename: '../../etc/Lieferverzögerung "P00015".pdf',
        contentType: 'application/pdf; name="x.pdf"',
        content: PDF,
      },
      { filename: 'scan.tiff', contentType: 'image/tiff', content: Buffer.alloc(2000, 1) },
      {
        filename: 'note.html',
        contentType: 'text/html<script>',
        content: Buffer.from('<b>hi</b>'),
      },
    ],
  });
  [pdf, big, html] = [stored[0]!, stored[1]!, stored[2]!];
});
after(async () => {
  await x?.close();
});

test('an operator downloads the attachment as it was received, as a file', async () => {
  const token = await x.tokenFor('operator');
  const response = await fetch(`${x.base}/api/v1/mail/attachments/${pdf.id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), PDF);
  assert.equal(response.headers.get('content-type'), 'application/pdf');
  assert.equal(response.headers.get('content-length'), String(PDF.length));
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(
    response.headers.get('content-disposition'),
    `attachment; filename="Lieferverz_gerung P00015.pdf"; filename*=UTF-8''${encodeURIComponent('Lieferverzögerung P00015.pdf')}`,
  );
  // A type that is not a plain type/subtype is sent as bytes.
  const odd = await x.request('GET', `/api/v1/mail/attachments/${html.id}`, { token });
  assert.equal(odd.headers.get('content-type'), 'application/octet-stream');

  const downloads = await x.services.audit.list({ action: 'mail.attachment.download' });
  assert.deepEqual(
    downloads.map((e) => e.target),
    [`mail_attachment:${pdf.id}`, `mail_attachment:${html.id}`],
  );
  assert.match(String(downloads[0]!.actor), /operator@test\.example/);
  assert.deepEqual(downloads[0]!.details, {
    source: 'mail.suppliers',
    message: '<delay-1@supplier.example>',
    filename: 'Lieferverzögerung P00015.pdf',
    size: PDF.length,
    sha256: (downloads[0]!.details as { sha256: string }).sha256,
    kept: true,
  });
});

test('no attachment for a role that may not read events, nor for a token of other sources', async () => {
  const approver = await x.tokenFor('approver');
  assert.equal(
    (await x.request('GET', `/api/v1/mail/attachments/${pdf.id}`, { token: approver })).status,
    403,
  );
  const shopOnly = await x.tokenFor('viewer', { eventSources: ['shop.orders'] });
  const hidden = await x.request('GET', `/api/v1/mail/attachments/${pdf.id}`, { token: shopOnly });
  assert.equal(hidden.status, 404);
  assert.equal(hidden.body.error.code, 'MAIL_ATTACHMENT_NOT_FOUND');
  const mine = await x.tokenFor('viewer', { eventSources: ['mail.suppliers'] });
  assert.equal(
    (await x.request('GET', `/api/v1/mail/attachments/${pdf.id}`, { token: mine })).status,
    200,
  );
  assert.equal(
    (await x.request('GET', `/api/v1/mail/attachments/${pdf.id}`, { token: null })).status,
    401,
  );
});

test('a missing or malformed id is a 404, and one over the size limit says its content was not kept', async () => {
  const token = await x.tokenFor('operator');
  for (const id of ['999999', 'abc', '..%2F..%2Fetc%2Fpasswd', '1%00']) {
    const r = await x.request('GET', `/api/v1/mail/attachments/${id}`, { token });
    assert.equal(r.status, 404, id);
    assert.equal(r.body.error.code, 'MAIL_ATTACHMENT_NOT_FOUND', id);
  }
  const gone = await x.request('GET', `/api/v1/mail/attachments/${big.id}`, { token });
  assert.equal(gone.status, 410);
  assert.equal(gone.body.error.code, 'MAIL_ATTACHMENT_NOT_KEPT');
  assert.match(gone.body.error.message, /scan\.tiff, 2000 bytes\) was over the size limit/);
});
