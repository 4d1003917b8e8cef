/**
 * A new site's start for the offline triage model: when no version exists yet, one is trained
 * from a labelled set (as `crossdock ai train --set` does), so triage answers from the first
 * case instead of abstaining until people have decided twenty. Nothing happens when a model
 * exists: a site's own history is never replaced by the file.
 */
import { currentTriageModelVersion, readLabelledSet, trainTriageModel } from '../ai/index.ts';
import type { Crossdock } from './types.ts';

export type TriageModelStart =
  { trained: false; version: number } | { trained: true; version: number; examples: number };

export async function ensureTriageModel(
  crossdock: Crossdock,
  set: { path: string; name: string },
  by: string,
): Promise<TriageModelStart> {
  const db = crossdock.store.db;
  const version = await currentTriageModelVersion(db);
  if (version !== null) return { trained: false, version };
  const summary = await trainTriageModel(db, {
    now: crossdock.engine.clock.now(),
    by,
    imported: { file: set.name, cases: readLabelledSet(set.path) },
  });
  return { trained: true, version: summary.version, examples: summary.examples };
}
