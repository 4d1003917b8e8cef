import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import type { Approvers, EscalationTarget } from './definition.ts';
import type { Database } from '../store/index.ts';

type Db = Kysely<Database>;

/** A person asked to decide at a level; `via` says why (the group, the list, a manager). */
export interface Assignee {
  userId: string;
  email: string;
  name: string | null;
  via: string;
  /** Set when this person's notice of the level was not sent, with why (no mail transport, no address). */
  unnotified?: string;
}

export const ProfileInput = z.strictObject({
  groups: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  managerId: z
    .string()
    .regex(/^\d{1,18}$/)
    .nullable()
    .optional(),
  odooUserId: z.int().positive().nullable().optional(),
});
export type ProfileInput = z.infer<typeof ProfileInput>;

export interface Profile {
  userId: string;
  groups: string[];
  managerId: string | null;
  odooUserId: number | null;
}

export interface Delegation {
  id: string;
  userId: string;
  delegateId: string;
  startsAt: string;
  endsAt: string;
  reason: string | null;
  createdBy: string;
  revoked: boolean;
}

type UserRow = { id: string; email: string; name: string | null };

/**
 * Who may approve: business groups, managers and Odoo users of Crossdock's users, and the
 * delegations (out of office) between them. Disabled users are never assignees.
 */
export class ApproverDirectory {
  constructor(private readonly db: Db) {}

  async profile(userId: string, db: Db = this.db): Promise<Profile> {
    const row = (
      await sql<{ groups: string[]; manager_id: string | null; odoo_user_id: number | null }>`
      SELECT groups, manager_id, odoo_user_id FROM approver_profiles WHERE user_id = ${userId}`.execute(
        db,
      )
    ).rows[0];
    return {
      userId,
      groups: row?.groups ?? [],
      managerId: row?.manager_id == null ? null : String(row.manager_id),
      odooUserId: row?.odoo_user_id ?? null,
    };
  }

  async setProfile(userId: string, input: ProfileInput, now: Date): Promise<Profile> {
    const current = await this.profile(userId);
    const next = {
      groups: input.groups ? [...new Set(input.groups)].sort() : current.groups,
      managerId: input.managerId === undefined ? current.managerId : input.managerId,
      odooUserId: input.odooUserId === undefined ? current.odooUserId : input.odooUserId,
    };
    if (next.managerId === userId)
      throw new CrossdockError('APPROVER_PROFILE_INVALID', 'A user cannot be their own manager', {
        category: 'user',
        retryable: false,
        details: [{ path: 'managerId', message: 'same as the user' }],
      });
    await this.#requireUsers([userId, ...(next.managerId ? [next.managerId] : [])]);
    await sql`
      INSERT INTO approver_profiles (user_id, groups, manager_id, odoo_user_id, updated_at)
      VALUES (${userId}, ${JSON.stringify(next.groups)}::jsonb, ${next.managerId}, ${next.odooUserId}, ${now})
      ON CONFLICT (user_id) DO UPDATE SET groups = excluded.groups, manager_id = excluded.manager_id,
        odoo_user_id = excluded.odoo_user_id, updated_at = excluded.updated_at`.execute(this.db);
    return { userId, ...next };
  }

  /** Resolves a level's approvers to people, as of now. */
  async resolve(
    approvers: Approvers | EscalationTarget,
    from: Assignee[],
    db: Db = this.db,
  ): Promise<Assignee[]> {
    let rows: UserRow[];
    let via: string;
    if ('group' in approvers) {
      via = `group:${approvers.group}`;
      rows = (
        await sql<UserRow>`SELECT u.id, u.email, u.name FROM users u JOIN approver_profiles p ON p.user_id = u.id
        WHERE p.groups @> ${JSON.stringify([approvers.group])}::jsonb AND u.disabled_at IS NULL ORDER BY u.id`.execute(
          db,
        )
      ).rows;
    } else if ('users' in approvers) {
      via = 'named';
      const emails = approvers.users.map((e) => e.toLowerCase());
      rows = (
        await sql<UserRow>`SELECT id, email, name FROM users WHERE email = ANY(${emails}::text[]) AND disabled_at IS NULL ORDER BY id`.execute(
          db,
        )
      ).rows;
    } else if ('role' in approvers) {
      via = `role:${approvers.role}`;
      rows = (
        await sql<UserRow>`SELECT id, email, name FROM users WHERE role = ${approvers.role} AND kind = 'person' AND disabled_at IS NULL ORDER BY id`.execute(
          db,
        )
      ).rows;
    } else {
      via = 'manager';
      const ids = from.map((a) => a.userId);
      rows = (
        await sql<UserRow>`SELECT DISTINCT u.id, u.email, u.name FROM approver_profiles p JOIN users u ON u.id = p.manager_id
        WHERE p.user_id = ANY(${ids}::bigint[]) AND u.disabled_at IS NULL ORDER BY u.id`.execute(db)
      ).rows;
    }
    return rows.map((r) => ({ userId: String(r.id), email: r.email, name: r.name, via }));
  }

  /** Users whose decisions `userId` may make right now (themselves, and whoever delegated to them). */
  async actingFor(userId: string, now: Date, db: Db = this.db): Promise<string[]> {
    const rows = (
      await sql<{ user_id: string }>`SELECT user_id FROM approval_delegations
      WHERE delegate_id = ${userId} AND revoked_at IS NULL AND starts_at <= ${now} AND ends_at > ${now}`.execute(
        db,
      )
    ).rows;
    return [userId, ...rows.map((r) => String(r.user_id))];
  }

  /** The active delegate of each of these users, if any. */
  async delegatesOf(
    userIds: string[],
    now: Date,
    db: Db = this.db,
  ): Promise<Map<string, Assignee>> {
    if (userIds.length === 0) return new Map();
    const rows = (
      await sql<
        UserRow & { user_id: string }
      >`SELECT DISTINCT ON (d.user_id) d.user_id, u.id, u.email, u.name
      FROM approval_delegations d JOIN users u ON u.id = d.delegate_id
      WHERE d.user_id = ANY(${userIds}::bigint[]) AND d.revoked_at IS NULL AND d.starts_at <= ${now} AND d.ends_at > ${now} AND u.disabled_at IS NULL
      ORDER BY d.user_id, d.created_at DESC`.execute(db)
    ).rows;
    return new Map(
      rows.map((r) => [
        String(r.user_id),
        {
          userId: String(r.id),
          email: r.email,
          name: r.name,
          via: `delegate of user:${r.user_id}`,
        },
      ]),
    );
  }

  async delegate(
    input: {
      userId: string;
      delegateId: string;
      startsAt: Date;
      endsAt: Date;
      reason?: string | null;
      actor: string;
    },
    now: Date,
    db: Db = this.db,
  ): Promise<Delegation> {
    if (input.userId === input.delegateId)
      throw new CrossdockError('DELEGATION_INVALID', 'A user cannot delegate to themselves', {
        category: 'user',
        retryable: false,
        details: [{ path: 'delegateId', message: 'same as the user' }],
      });
    if (input.endsAt <= input.startsAt)
      throw new CrossdockError('DELEGATION_INVALID', 'A delegation must end after it starts', {
        category: 'user',
        retryable: false,
        details: [{ path: 'endsAt', message: 'not after startsAt' }],
      });
    await this.#requireUsers([input.userId, input.delegateId]);
    const row = (
      await sql<{
        id: string;
      }>`INSERT INTO approval_delegations (user_id, delegate_id, starts_at, ends_at, reason, created_by, created_at)
      VALUES (${input.userId}, ${input.delegateId}, ${input.startsAt}, ${input.endsAt}, ${input.reason ?? null}, ${input.actor}, ${now}) RETURNING id`.execute(
        db,
      )
    ).rows[0]!;
    return (await this.delegations({ id: String(row.id) }, db))[0]!;
  }

  async revokeDelegation(id: string, now: Date, db: Db = this.db): Promise<Delegation> {
    const done =
      await sql`UPDATE approval_delegations SET revoked_at = ${now} WHERE id = ${id} AND revoked_at IS NULL`.execute(
        db,
      );
    if (Number(done.numAffectedRows ?? 0) === 0)
      throw new CrossdockError('DELEGATION_NOT_FOUND', `No active delegation ${id}`, {
        category: 'user',
        retryable: false,
      });
    return (await this.delegations({ id }, db))[0]!;
  }

  async delegations(
    filter: { id?: string; userId?: string } = {},
    db: Db = this.db,
  ): Promise<Delegation[]> {
    const rows = (
      await sql<{
        id: string;
        user_id: string;
        delegate_id: string;
        starts_at: Date;
        ends_at: Date;
        reason: string | null;
        created_by: string;
        revoked_at: Date | null;
      }>`
      SELECT * FROM approval_delegations
      WHERE (${filter.id ?? null}::bigint IS NULL OR id = ${filter.id ?? null}::bigint)
        AND (${filter.userId ?? null}::bigint IS NULL OR user_id = ${filter.userId ?? null}::bigint OR delegate_id = ${filter.userId ?? null}::bigint)
      ORDER BY id DESC LIMIT 500`.execute(db)
    ).rows;
    return rows.map((r) => ({
      id: String(r.id),
      userId: String(r.user_id),
      delegateId: String(r.delegate_id),
      startsAt: new Date(r.starts_at).toISOString(),
      endsAt: new Date(r.ends_at).toISOString(),
      reason: r.reason,
      createdBy: r.created_by,
      revoked: r.revoked_at !== null,
    }));
  }

  async #requireUsers(ids: string[]): Promise<void> {
    const found = (
      await sql<{ id: string }>`SELECT id FROM users WHERE id = ANY(${ids}::bigint[])`.execute(
        this.db,
      )
    ).rows.map((r) => String(r.id));
    const missing = ids.filter((id) => !found.includes(id));
    if (missing.length > 0)
      throw new CrossdockError('USER_NOT_FOUND', `No user ${missing.join(', ')}`, {
        category: 'user',
        retryable: false,
      });
  }
}
