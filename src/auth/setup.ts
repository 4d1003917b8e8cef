import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CrossdockError } from '../errors/index.ts';
import type { NewUser, User, Users } from './users.ts';

/**
 * The first administrator. There is no default password: while no enabled admin exists,
 * `start` writes a one-time setup code to a file only the operator's account can read
 * (0600, in the state directory) and prints where it is, never the code itself. Whoever
 * can read that file can create the first admin (the CLI does it for you:
 * `crossdock users add <email> --role admin`). The code dies when an admin exists.
 */
export class FirstAdminSetup {
  #codeHash: Buffer | undefined;

  constructor(
    private readonly users: Users,
    private readonly codeFile: string,
  ) {}

  /** Returns the code file's path if setup is needed (and writes a fresh code into it), else null. */
  async prepare(): Promise<string | null> {
    if ((await this.users.countActiveAdmins()) > 0) {
      this.#discard();
      return null;
    }
    const code = randomBytes(24).toString('base64url');
    mkdirSync(dirname(this.codeFile), { recursive: true });
    writeFileSync(this.codeFile, `${code}\n`, { mode: 0o600 });
    chmodSync(this.codeFile, 0o600);
    this.#codeHash = createHash('sha256').update(code).digest();
    return this.codeFile;
  }

  async complete(code: string, input: Omit<NewUser, 'role'>): Promise<User> {
    const given = createHash('sha256').update(code).digest();
    if (!this.#codeHash || !timingSafeEqual(given, this.#codeHash)) {
      throw new CrossdockError(
        'SETUP_CODE_INVALID',
        'The setup code is wrong, or setup is not open (an admin exists already)',
        { category: 'user', retryable: false },
      );
    }
    if ((await this.users.countActiveAdmins()) > 0) {
      this.#discard();
      throw new CrossdockError(
        'SETUP_DONE',
        'An administrator exists already; sign in as them to add users',
        { category: 'user', retryable: false },
      );
    }
    if (!input.password)
      throw new CrossdockError('USER_INVALID', 'The first admin needs a password', {
        category: 'user',
        retryable: false,
        details: [{ path: 'password', message: 'required' }],
      });
    const user = await this.users.create({ ...input, role: 'admin' });
    this.#discard();
    return user;
  }

  #discard(): void {
    this.#codeHash = undefined;
    rmSync(this.codeFile, { force: true });
  }
}
