import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_ROUTES } from '../../src/api/index.ts';
import { Permission, ROLE_PERMISSIONS, ROLES, type Role } from '../../src/auth/index.ts';
import { startTestApi, type TestApi } from './support.ts';

/**
 * The permission matrix, walked for real: every route of the API, called by every role
 * (and by nobody), must let through exactly the roles whose permissions include the
 * route's, and refuse the rest with 403 (401 without credentials). "Let through" means the
 * answer is not 401/403: with placeholder ids and empty bodies most allowed calls then
 * end in 400 or 404, which is what those inputs deserve.
 */
const EXPECTED: Record<Role, string[]> = {
  admin: Object.values(Permission),
  integrator: [
    'events:read',
    'events:send',
    'workflows:read',
    'workflows:simulate',
    'workflows:write',
    'runs:read',
    'sources:read',
    'sources:write',
    'secrets:read',
    'secrets:write',
    'metrics:read',
    'tokens:own',
    'approvals:read',
    'exceptions:read',
  ],
  operator: [
    'events:read',
    'events:send',
    'workflows:read',
    'workflows:simulate',
    'runs:read',
    'runs:operate',
    'sources:read',
    'metrics:read',
    'tokens:own',
    'approvals:read',
    'exceptions:read',
    'exceptions:operate',
  ],
  approver: [
    'workflows:read',
    'runs:read',
    'runs:signal',
    'tokens:own',
    'approvals:read',
    'approvals:decide',
  ],
  viewer: [
    'events:read',
    'workflows:read',
    'runs:read',
    'sources:read',
    'metrics:read',
    'tokens:own',
    'approvals:read',
    'exceptions:read',
  ],
  auditor: [
    'events:read',
    'workflows:read',
    'runs:read',
    'sources:read',
    'metrics:read',
    'tokens:own',
    'users:read',
    'secrets:read',
    'audit:read',
    'approvals:read',
    'exceptions:read',
  ],
};

const concrete = (path: string) => path.replace(':id', '999999').replace(':name', 'nosuch');

describe('permission matrix: every route x every role', () => {
  let h: TestApi;
  const tokens = new Map<Role, string>();
  before(async () => {
    h = await startTestApi();
    for (const role of ROLES) tokens.set(role, await h.tokenFor(role));
  });
  after(() => h.close());

  test('the matrix in code is the one this test expects', () => {
    for (const role of ROLES)
      assert.deepEqual([...ROLE_PERMISSIONS[role]].sort(), [...EXPECTED[role]].sort(), role);
  });

  test('each route answers each role as the matrix says', async () => {
    const wrong: string[] = [];
    let calls = 0;
    for (const route of API_ROUTES) {
      const body = route.method === 'GET' ? undefined : {};
      for (const role of [...ROLES, null]) {
        const answer = await h.request(route.method, concrete(route.path), {
          token: role && tokens.get(role),
          body,
        });
        calls++;
        const allowed =
          route.access === 'public' ||
          (role !== null &&
            (route.access === 'authenticated' || EXPECTED[role].includes(route.access)));
        const refused = answer.status === 401 || answer.status === 403;
        if (allowed && refused)
          wrong.push(
            `${route.method} ${route.path} as ${role ?? 'anonymous'}: ${answer.status} ${answer.body?.error?.code}, expected to be let through`,
          );
        if (!allowed) {
          const expected = role === null ? [401, 'AUTH_REQUIRED'] : [403, 'FORBIDDEN'];
          if (answer.status !== expected[0] || answer.body?.error?.code !== expected[1])
            wrong.push(
              `${route.method} ${route.path} as ${role ?? 'anonymous'}: ${answer.status} ${answer.body?.error?.code}, expected ${expected.join(' ')}`,
            );
        }
        assert.ok(
          answer.status < 500,
          `${route.method} ${route.path} as ${role}: ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(calls, API_ROUTES.length * (ROLES.length + 1));
  });

  test('refusals say why and are recorded in the audit log', async () => {
    const viewer = tokens.get('viewer')!;
    const answer = await h.request('POST', '/api/v1/runs/1/replay', { token: viewer, body: {} });
    assert.equal(answer.status, 403);
    assert.match(answer.body.error.message, /runs:operate/);
    const denied = await h.services.audit.list({ action: 'access.denied', limit: 1000 });
    assert.ok(
      denied.some(
        (e) =>
          e.target === 'POST /api/v1/runs/:id/replay' && e.actor.includes('viewer@test.example'),
      ),
    );
  });

  test('segregation: an operator cannot approve (signal) and an approver cannot replay', async () => {
    assert.equal(
      (
        await h.request('POST', '/api/v1/runs/1/signals/approval', {
          token: tokens.get('operator'),
          body: {},
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await h.request('POST', '/api/v1/runs/1/replay', {
          token: tokens.get('approver'),
          body: {},
        })
      ).status,
      403,
    );
    assert.equal(
      (await h.request('GET', '/api/v1/audit', { token: tokens.get('integrator') })).status,
      403,
    );
    assert.equal(
      (await h.request('GET', '/api/v1/audit', { token: tokens.get('auditor') })).status,
      200,
    );
  });

  test('a token narrowed by scopes can do only what its scopes say, even for an admin', async () => {
    const narrow = await h.tokenFor('admin', { scopes: ['runs:read'] });
    assert.equal((await h.request('GET', '/api/v1/runs', { token: narrow })).status, 200);
    assert.equal((await h.request('GET', '/api/v1/users', { token: narrow })).status, 403);
    const beyond = await h.request('POST', '/api/v1/tokens', {
      token: tokens.get('viewer'),
      body: { name: 'more', scopes: ['users:write'] },
    });
    assert.equal(beyond.status, 403);
    assert.equal(beyond.body.error.code, 'TOKEN_SCOPE_DENIED');
  });
});
