/**
 * Training and evaluation through the API (POST /api/v1/ai/train, /ai/eval): what `crossdock
 * ai train` and `crossdock ai eval` do, on the running instance's store and provider. A set
 * is named, not given as a path: one of the labelled sets shipped in `ai/eval/`, so a request
 * can reach no other file.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { Kysely } from 'kysely';
import {
  DelayRiskModel,
  evaluate,
  evaluateDelayRisk,
  evaluateMail,
  readDelaySet,
  readLabelledSet,
  readMailSet,
  trainDelayRiskModel,
  trainTriageModel,
  type TriageProvider,
} from '../ai/index.ts';
import type { AiModels } from '../api/index.ts';
import type { AiClient } from '../connectors/ai/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { installPath } from '../install-root.ts';
import type { Database } from '../store/index.ts';

const SET_NAME = /^[a-z0-9][a-z0-9-]{0,100}\.jsonl$/;

/** The shipped labelled sets, by file name. */
export function shippedSets(): string[] {
  const dir = installPath('ai', 'eval');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => SET_NAME.test(f))
        .sort()
    : [];
}

function setPath(name: string): string {
  const sets = shippedSets();
  if (!SET_NAME.test(name) || !sets.includes(name))
    throw new CrossdockError(
      'AI_SET_INVALID',
      `No shipped labelled set named ${JSON.stringify(name.slice(0, 120))}`,
      {
        details: [{ path: 'body.set', message: `must be one of ${sets.join(', ')}` }],
      },
    );
  return installPath('ai', 'eval', name);
}

export function aiModels(o: {
  db: Kysely<Database>;
  now: () => Date;
  /** The configured provider; null: the built-in offline model answers the evaluation. */
  client: AiClient | null;
  provider: () => TriageProvider;
}): AiModels {
  return {
    async train(use, set, by) {
      const file = set === undefined ? undefined : setPath(set);
      if (use === 'delay_risk')
        return trainDelayRiskModel(o.db, {
          now: o.now(),
          by,
          ...(file ? { imported: { file: set!, cases: readDelaySet(file) } } : {}),
        });
      return trainTriageModel(o.db, {
        now: o.now(),
        by,
        ...(file ? { imported: { file: set!, cases: readLabelledSet(file) } } : {}),
      });
    },
    async evaluate(use, set, threshold) {
      const file = setPath(set);
      if (use === 'delay_risk')
        return evaluateDelayRisk(
          await new DelayRiskModel(o.db).current(),
          readDelaySet(file),
          threshold ?? 0.4,
        );
      if (use === 'mail_extraction')
        return evaluateMail(o.client, readMailSet(file), threshold ?? 0.8);
      return evaluate(o.provider(), readLabelledSet(file), threshold ?? 0.8, use);
    },
  };
}
