import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { User } from '../auth/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { cliActor, directOrRemote } from './operations.ts';
import { table, usageError, type Output } from './output.ts';
import { STATE_FILES } from '../state/files.ts';

export interface SecurityFlags {
  api?: string;
  role?: string;
  name?: string;
  'password-stdin'?: boolean;
}

/** `crossdock users add <email> --role R [--name N] [--password-stdin] | list | disable <id>`. */
export async function usersCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: SecurityFlags,
  out: Output,
): Promise<number> {
  const [sub, arg] = rest;
  if (sub === 'list') {
    return directOrRemote(
      config,
      flags.api,
      async (c) => printUsers(await c.services.users.list(), out),
      async (call) =>
        printUsers((await call<{ users: User[] }>('GET', '/api/v1/users')).users, out),
      (url) => out.info(`using the API at ${url}`),
    );
  }
  if (sub === 'disable') {
    if (!arg) throw usageError('usage: crossdock users disable <id>');
    return directOrRemote(
      config,
      flags.api,
      async (c) => {
        const disabled = await c.services.users.disable(arg);
        await c.services.audit.append({
          actor: cliActor(),
          action: 'user.disable',
          target: `user:${arg}`,
          details: { email: disabled.email },
        });
        return printUser(disabled, 'disabled', out);
      },
      async (call) =>
        printUser(
          await call<User>('POST', `/api/v1/users/${encodeURIComponent(arg)}/disable`, {}),
          'disabled',
          out,
        ),
    );
  }
  if (sub !== 'add' || !arg || !flags.role)
    throw usageError(
      'usage: crossdock users add <email> --role admin|integrator|operator|approver|viewer|auditor [--name N] [--password-stdin] | list | disable <id>',
    );
  const password = await readPassword(flags['password-stdin'] === true);
  const input = {
    email: arg,
    role: flags.role,
    ...(flags.name ? { name: flags.name } : {}),
    ...(password ? { password } : {}),
  };
  return directOrRemote(
    config,
    flags.api,
    async (c) => {
      const user = await c.services.users.create(input as never);
      await c.services.audit.append({
        actor: cliActor(),
        action: 'user.create',
        target: `user:${user.id}`,
        details: { email: user.email, role: user.role, password: password !== null },
      });
      return printUser(user, 'added', out);
    },
    async (call) => {
      // First admin while the embedded store is held by `start`: use its one-time setup code.
      const codeFile = join(config.security.stateDir, STATE_FILES.firstAdminCode);
      if (flags.role === 'admin' && existsSync(codeFile)) {
        if (!password)
          throw usageError(
            'the first admin needs a password (type it when asked, or pipe it with --password-stdin)',
          );
        const code = readFileSync(codeFile, 'utf8').trim();
        return printUser(
          await call<User>('POST', '/api/v1/setup', {
            code,
            email: arg,
            ...(flags.name ? { name: flags.name } : {}),
            password,
          }),
          'added as the first administrator',
          out,
        );
      }
      return printUser(await call<User>('POST', '/api/v1/users', input), 'added', out);
    },
    (url) => out.info(`using the API at ${url}`),
  );
}

function printUsers(users: User[], out: Output): number {
  out.result({ users }, () =>
    table(users, ['id', 'email', 'name', 'role', 'kind', 'disabled', 'createdAt']),
  );
  return 0;
}

function printUser(user: User, what: string, out: Output): number {
  out.result(user, () => `user ${user.id} ${user.email} (${user.role}) ${what}`);
  return 0;
}

/** A password from stdin (first line) or typed twice at a hidden prompt; null for none (token-only users). */
async function readPassword(fromStdin: boolean): Promise<string | null> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    return line === '' ? null : line;
  }
  if (!process.stdin.isTTY) return null;
  const first = await hiddenPrompt('Password (empty for none: tokens only): ');
  if (first === '') return null;
  if ((await hiddenPrompt('Again: ')) !== first) throw usageError('the passwords differ');
  return first;
}

function hiddenPrompt(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
