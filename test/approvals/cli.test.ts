import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';

describe('crossdock approvers / approvals from a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-approvals-cli-'));
  const env = { CROSSDOCK_DATA_DIR: join(dir, 'data') };
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('set up an approver, see an empty inbox, and be told how to decide on the store directly', async () => {
    for (const email of ['ana@acme.test', 'boss@acme.test']) {
      const added = await runCrossdock(['users', 'add', email, '--role', 'approver'], env);
      assert.equal(added.status, 0, added.stderr);
    }
    const set = await runCrossdock(
      [
        'approvers',
        'set',
        'ana@acme.test',
        '--groups',
        'finance,credit-control',
        '--manager',
        'boss@acme.test',
        '--odoo-user',
        '7',
        '--json',
      ],
      env,
    );
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual(
      { ...JSON.parse(set.stdout), userId: undefined, managerId: undefined },
      {
        userId: undefined,
        groups: ['credit-control', 'finance'],
        managerId: undefined,
        odooUserId: 7,
      },
    );
    const list = await runCrossdock(['approvals', 'list'], env);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /no approval requests/);
    const decide = await runCrossdock(['approvals', 'approve', '1'], env);
    assert.equal(decide.status, 2);
    assert.match(decide.stderr, /--as <email>/);
    const unknown = await runCrossdock(
      ['approvers', 'set', 'ghost@acme.test', '--groups', 'x'],
      env,
    );
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /No user ghost@acme\.test/);
  });
});
