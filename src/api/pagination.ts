import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';

/**
 * Cursor pagination: lists are newest first by id; `nextCursor` is an opaque token for the
 * page after this one (null on the last page). Stable under inserts, unlike offsets.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ before: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = z
      .strictObject({ before: z.string().regex(/^\d{1,18}$/) })
      .parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.before;
  } catch {
    throw new CrossdockError('REQUEST_INVALID', 'The cursor is not one this API gave out', {
      category: 'user',
      retryable: false,
      details: [{ path: 'query.cursor', message: 'use nextCursor from the previous page' }],
    });
  }
}

export function page<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
}
