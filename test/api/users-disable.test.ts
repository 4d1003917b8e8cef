import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from './support.ts';

describe('disabling users', () => {
  let h: TestApi;
  before(async () => {
    h = await startTestApi();
  });
  after(() => h.close());

  test('the last enabled administrator cannot be disabled, through the API or the service the CLI calls', async () => {
    const admin = await h.tokenFor('admin');
    const adminId = (await h.services.users.findByEmail('admin@test.example'))!.id;
    const refused = await h.request('POST', `/api/v1/users/${adminId}/disable`, { token: admin });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'USER_LAST_ADMIN');
    await assert.rejects(h.services.users.disable(adminId), {
      code: 'USER_LAST_ADMIN',
      category: 'policy',
    });
    assert.equal((await h.services.users.get(adminId)).disabled, false);

    // A service account cannot sign in to repair anything: it is not counted, and may be disabled.
    const robot = await h.services.users.create(
      { email: 'robot@test.example', role: 'admin' },
      { kind: 'service' },
    );
    assert.equal(
      (await h.request('POST', `/api/v1/users/${robot.id}/disable`, { token: admin })).status,
      200,
    );
    await assert.rejects(h.services.users.disable(adminId), { code: 'USER_LAST_ADMIN' });

    const second = await h.services.users.create({
      email: 'second-admin@test.example',
      role: 'admin',
      password: 'a long enough password',
    });
    const disabled = await h.request('POST', `/api/v1/users/${adminId}/disable`, { token: admin });
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.disabled, true);
    assert.equal((await h.services.users.get(second.id)).disabled, false);
  });

  test('a token for a disabled user is refused as forbidden (403 USER_DISABLED)', async () => {
    const admin = await h.services.users.create({
      email: 'tokens-admin@test.example',
      role: 'admin',
      password: 'a long enough password',
    });
    const { token } = await h.services.tokens.create(
      { id: admin.id, role: admin.role },
      { name: 'second admin' },
      null,
    );
    const viewerToken = await h.tokenFor('viewer');
    assert.ok(viewerToken);
    const viewerId = (await h.services.users.findByEmail('viewer@test.example'))!.id;
    assert.equal(
      (await h.request('POST', `/api/v1/users/${viewerId}/disable`, { token })).status,
      200,
    );
    const answer = await h.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'for a disabled user', userId: viewerId },
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.code, 'USER_DISABLED');
  });
});
