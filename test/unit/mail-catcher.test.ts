import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import nodemailer from 'nodemailer';
import { MAIL_CATCHER_KEEP, startMailCatcher } from '../../src/demo/mail-catcher.ts';

test(
  'the demo inbox keeps the newest messages and counts them all, so a demo left running does not grow without end',
  { timeout: 120_000 },
  async () => {
    const catcher = await startMailCatcher();
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: catcher.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
    });
    try {
      const total = MAIL_CATCHER_KEEP + 20;
      for (let n = 1; n <= total; n++) {
        await transport.sendMail({
          from: 'crossdock@demo.test',
          to: 'ops@demo.test',
          subject: `notice ${n}`,
          text: `body ${n}`,
        });
      }
      assert.equal(catcher.received, total);
      assert.equal(catcher.mails.length, MAIL_CATCHER_KEEP);
      assert.match(catcher.mails.at(-1)!.raw, new RegExp(`Subject: notice ${total}\\r?\\n`));
      assert.match(catcher.mails[0]!.raw, /Subject: notice 21\r?\n/, 'the oldest kept is the 21st');
    } finally {
      transport.close();
      await catcher.close();
    }
  },
);

test('senders that vanish mid-session (connections reset) do not end the demo, and the inbox takes the next message', async () => {
  const catcher = await startMailCatcher();
  try {
    for (let n = 0; n < 3; n++) {
      const socket = connect(catcher.port, '127.0.0.1');
      socket.on('error', () => undefined);
      await once(socket, 'data'); // the greeting
      socket.write('EHLO gone.test\r\nMAIL FROM:<a@gone.test>\r\n');
      await once(socket, 'data');
      socket.resetAndDestroy(); // as a killed process's connection ends: RST, not FIN
      await once(socket, 'close');
    }
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: catcher.port,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'a@demo.test',
      to: 'b@demo.test',
      subject: 'after',
      text: 'x',
    });
    transport.close();
    assert.equal(catcher.received, 1);
  } finally {
    await catcher.close();
  }
});
