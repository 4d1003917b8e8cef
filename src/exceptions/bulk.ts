import { CrossdockError } from '../errors/index.ts';
import { actionInputs } from './action-inputs.ts';
import { exceptionErrors, parseGroupKey, type ReasonCode } from './model.ts';
import { groupCaseIds } from '../store/index.ts';
import type { Db } from './queries.ts';
import type { Actor, ExceptionsService } from './service.ts';

export const BULK_MAX = 1000;

export type BulkRequest = (
  { ids: string[]; group?: undefined } | { group: string; ids?: undefined }
) &
  (
    | { action: 'retry' }
    | { action: 'resolve'; reasonCode: ReasonCode; note?: string | null }
    | { action: 'assign'; team?: string | null; userId?: string | null }
    | { action: 'act'; caseAction: string; note?: string | null }
  );

export interface BulkResult {
  id: string;
  ok: boolean;
  error?: { code: string; message: string };
}

/**
 * One action over many cases: the ids given, or the open cases of a root-cause group.
 * Each case is its own transaction (with its own history row and audit entry), so one
 * refusal (a case closed meanwhile) does not undo the others; each result says which.
 * A business action that takes inputs of its own for each case (book by hand: each
 * parcel's tracking reference) is refused before any case is touched: a bulk request
 * carries no inputs, and one set shared by many cases would be wrong for all but one.
 */
export async function bulkAct(
  service: ExceptionsService,
  db: Db,
  request: BulkRequest,
  who: Actor,
): Promise<BulkResult[]> {
  if ((request.ids === undefined) === (request.group === undefined))
    throw exceptionErrors.bulkTarget();
  if (request.action === 'act') {
    const needed = (actionInputs(request.caseAction, []) ?? []).filter((i) => i.required);
    if (needed.length > 0)
      throw exceptionErrors.bulkNeedsCaseInputs(
        request.caseAction,
        needed.map((i) => i.name),
      );
  }
  const ids = request.ids ?? (await groupCaseIds(db, parseGroupKey(request.group!), BULK_MAX));
  const results: BulkResult[] = [];
  for (const id of [...new Set(ids)].slice(0, BULK_MAX)) {
    try {
      if (request.action === 'retry') await service.retry(id, who);
      else if (request.action === 'resolve')
        await service.resolve(id, request.reasonCode, request.note ?? null, who);
      else if (request.action === 'act')
        await service.act(id, request.caseAction, request.note ?? null, who);
      else
        await service.assign(
          id,
          {
            ...(request.team === undefined ? {} : { team: request.team }),
            ...(request.userId === undefined ? {} : { userId: request.userId }),
          },
          who,
        );
      results.push({ id, ok: true });
    } catch (error) {
      if (!(error instanceof CrossdockError) || error.category === 'bug') throw error;
      results.push({ id, ok: false, error: { code: error.code, message: error.message } });
    }
  }
  return results;
}
