import type { Permission, Role } from './permissions.ts';

/** Who is making a request, and what they may do. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  kind: 'person' | 'service';
  via:
    | { kind: 'token'; tokenId: string; tokenName: string }
    | { kind: 'session'; sessionHash: string }
    | { kind: 'local' };
  permissions: ReadonlySet<Permission>;
  /** Event sources this principal may send as; null means any. */
  eventSources: readonly string[] | null;
}

/** The audit log's name for a principal. */
export function actorName(p: Principal): string {
  const user = `user:${p.userId} ${p.email}`;
  return p.via.kind === 'token' ? `token:${p.via.tokenId} ${p.via.tokenName} (${user})` : user;
}
