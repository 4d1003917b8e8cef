import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { ROLES, type Role } from './permissions.ts';
import { revokeUserSessions } from './sessions.ts';
import type { Database } from '../store/index.ts';

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  kind: 'person' | 'service';
  disabled: boolean;
  createdAt: string;
}

export const NewUserSchema = z.strictObject({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254)
    .regex(
      /^[^\s@]+@[^\s@]+$|^[a-z0-9][a-z0-9._-]{0,63}$/,
      'an email address or a plain login name',
    ),
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(ROLES),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024)
    .optional(),
});
export type NewUser = z.input<typeof NewUserSchema>;

interface Row {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  kind: 'person' | 'service';
  password_hash: string | null;
  disabled_at: Date | string | null;
  created_at: Date | string;
}

const toUser = (r: Row): User => ({
  id: String(r.id),
  email: r.email,
  name: r.name,
  role: r.role,
  kind: r.kind,
  disabled: r.disabled_at !== null,
  createdAt: new Date(r.created_at).toISOString(),
});

/** People and service accounts. Passwords are argon2id hashes; none is ever returned. */
export class Users {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async create(
    input: NewUser,
    options: { kind?: 'person' | 'service' } = {},
    executor: Kysely<Database> = this.db,
  ): Promise<User> {
    const parsed = NewUserSchema.safeParse(input);
    if (!parsed.success) {
      throw new CrossdockError('USER_INVALID', 'The user is not valid', {
        category: 'user',
        retryable: false,
        details: parsed.error.issues.map((i) => ({
          path: i.path.join('.') || '(user)',
          message: i.message,
        })),
      });
    }
    const { email, name, role, password } = parsed.data;
    const passwordHash = password === undefined ? null : await hashPassword(password);
    const result = await sql<Row>`
      INSERT INTO users (email, name, role, kind, password_hash, created_at)
      VALUES (${email}, ${name ?? null}, ${role}, ${options.kind ?? 'person'}, ${passwordHash}, ${this.now()})
      ON CONFLICT (email) DO NOTHING RETURNING *`.execute(executor);
    if (!result.rows[0])
      throw new CrossdockError('USER_EXISTS', `A user ${email} already exists`, {
        category: 'user',
        retryable: false,
        details: [{ path: 'email', message: 'already taken' }],
      });
    return toUser(result.rows[0]);
  }

  async list(): Promise<User[]> {
    return (await sql<Row>`SELECT * FROM users ORDER BY id`.execute(this.db)).rows.map(toUser);
  }

  async get(id: string): Promise<User> {
    if (!/^\d{1,18}$/.test(id)) throw notFound(id);
    const row = (await sql<Row>`SELECT * FROM users WHERE id = ${id}`.execute(this.db)).rows[0];
    if (!row) throw notFound(id);
    return toUser(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = (
      await sql<Row>`SELECT * FROM users WHERE email = ${email.trim().toLowerCase()}`.execute(
        this.db,
      )
    ).rows[0];
    return row && toUser(row);
  }

  /**
   * Disabling ends the user's sessions and stops their tokens (checked on every request).
   * The last enabled administrator (a person: a service account cannot sign in to fix
   * anything) is refused, whoever asks: the API and the CLI alike come here.
   */
  async disable(id: string, executor: Kysely<Database> = this.db): Promise<User> {
    const user = await this.get(id);
    if (
      user.role === 'admin' &&
      user.kind === 'person' &&
      !user.disabled &&
      (await this.countActiveAdmins()) <= 1
    ) {
      throw new CrossdockError(
        'USER_LAST_ADMIN',
        'This is the last enabled administrator; add another first',
        { category: 'policy', retryable: false },
      );
    }
    await sql`UPDATE users SET disabled_at = coalesce(disabled_at, ${this.now()}) WHERE id = ${user.id}`.execute(
      executor,
    );
    await revokeUserSessions(executor, user.id, this.now());
    return { ...user, disabled: true };
  }

  async setPassword(id: string, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD_LENGTH)
      throw new CrossdockError(
        'USER_INVALID',
        `A password needs at least ${MIN_PASSWORD_LENGTH} characters`,
        {
          category: 'user',
          retryable: false,
          details: [{ path: 'password', message: `at least ${MIN_PASSWORD_LENGTH} characters` }],
        },
      );
    await sql`UPDATE users SET password_hash = ${await hashPassword(password)} WHERE id = ${(await this.get(id)).id}`.execute(
      this.db,
    );
  }

  /** The user if the email and password match an enabled person; the same time is spent either way. */
  async checkPassword(email: string, password: string): Promise<User | undefined> {
    const row = (
      await sql<Row>`SELECT * FROM users WHERE email = ${email.trim().toLowerCase()} AND kind = 'person'`.execute(
        this.db,
      )
    ).rows[0];
    const ok = await verifyPassword(row?.password_hash ?? null, password);
    return ok && row && row.disabled_at === null ? toUser(row) : undefined;
  }

  async countActiveAdmins(): Promise<number> {
    const row = (
      await sql<{
        n: string | number;
      }>`SELECT count(*) AS n FROM users WHERE role = 'admin' AND kind = 'person' AND disabled_at IS NULL`.execute(
        this.db,
      )
    ).rows[0];
    return Number(row?.n ?? 0);
  }

  /** A service account (no password), created on first use: the engine's own identity. */
  async ensureService(email: string, role: Role): Promise<User> {
    const existing = await this.findByEmail(email);
    if (existing) return existing;
    await sql`INSERT INTO users (email, role, kind, created_at) VALUES (${email}, ${role}, 'service', ${this.now()}) ON CONFLICT (email) DO NOTHING`.execute(
      this.db,
    );
    return (await this.findByEmail(email))!;
  }
}

function notFound(id: string): CrossdockError {
  return new CrossdockError('USER_NOT_FOUND', `No user ${id}`, {
    category: 'user',
    retryable: false,
  });
}
