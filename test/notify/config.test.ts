import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';

test('notification settings: SMTP and chat webhooks by name, defaults stated', () => {
  const config = loadConfig({
    CROSSDOCK_SMTP_HOST: 'smtp.acme.test',
    CROSSDOCK_SMTP_USER: 'crossdock',
    CROSSDOCK_SMTP_PASSWORD: 'pw-123456',
    CROSSDOCK_MAIL_FROM: 'Crossdock <crossdock@acme.test>',
    CROSSDOCK_CHAT_WEBHOOK_OPS: 'https://hooks.slack.test/services/T/B/secret',
    CROSSDOCK_CHAT_WEBHOOK_DISPATCH_TEAM: 'https://teams.test/webhook/x',
  });
  assert.deepEqual(config.notify.smtp, {
    host: 'smtp.acme.test',
    port: 587,
    secure: false,
    requireTls: true,
    user: 'crossdock',
    password: 'pw-123456',
    from: 'Crossdock <crossdock@acme.test>',
  });
  assert.deepEqual(Object.keys(config.notify.chatWebhooks).sort(), ['dispatch-team', 'ops']);
  assert.equal(config.notify.pollIntervalMs, 5_000);
  assert.equal(
    loadConfig({
      CROSSDOCK_SMTP_HOST: 'h',
      CROSSDOCK_SMTP_SECURE: 'true',
      CROSSDOCK_MAIL_FROM: 'a@b.test',
    }).notify.smtp!.port,
    465,
  );
  assert.equal(
    loadConfig({ CROSSDOCK_SMTP_HOST: 'h', CROSSDOCK_MAIL_FROM: 'a@b.test' }).notify.smtp!
      .requireTls,
    false,
    'no login, no password to protect',
  );
  assert.equal(loadConfig({}).notify.smtp, null);
});

test('bad notification settings fail at startup, each named, no secret in the message', () => {
  try {
    loadConfig({
      CROSSDOCK_SMTP_HOST: 'smtp.acme.test',
      CROSSDOCK_SMTP_PASSWORD: 'pw-123456',
      CROSSDOCK_CHAT_WEBHOOK_OPS: 'not a url with secret-token',
      CROSSDOCK_SMTP_PORT: 'x',
    });
    assert.fail('expected CONFIG_INVALID');
  } catch (error: any) {
    assert.equal(error.code, 'CONFIG_INVALID');
    const paths = error.details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, [
      'CROSSDOCK_CHAT_WEBHOOK_OPS',
      'CROSSDOCK_MAIL_FROM',
      'CROSSDOCK_SMTP_PORT',
      'CROSSDOCK_SMTP_USER',
    ]);
    assert.doesNotMatch(JSON.stringify(error.details), /secret-token|pw-123456/);
  }
  assert.throws(
    () => loadConfig({ CROSSDOCK_SMTP_USER: 'u' }),
    (e: any) =>
      e.details[0].path === 'CROSSDOCK_SMTP_USER' &&
      /set CROSSDOCK_SMTP_HOST too/.test(e.details[0].message),
  );
});

test('the public URL for approval links: trailing slash dropped, not set means the listen address, a bad one is named', () => {
  assert.equal(
    loadConfig({ CROSSDOCK_PUBLIC_URL: 'https://crossdock.acme.example/' }).http.publicUrl,
    'https://crossdock.acme.example',
  );
  assert.equal(loadConfig({}).http.publicUrl, null);
  assert.throws(
    () => loadConfig({ CROSSDOCK_PUBLIC_URL: 'crossdock.acme.example' }),
    (e: any) =>
      e.code === 'CONFIG_INVALID' &&
      e.details[0].path === 'CROSSDOCK_PUBLIC_URL' &&
      /http\(s\) URL/.test(e.details[0].message),
  );
  assert.throws(
    () => loadConfig({ CROSSDOCK_PUBLIC_URL: 'ftp://crossdock.acme.example' }),
    (e: any) => e.details[0].path === 'CROSSDOCK_PUBLIC_URL',
  );
});
