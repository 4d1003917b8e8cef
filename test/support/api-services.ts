import type { ApiServices } from '../../src/api/index.ts';
import { createApiServices } from '../../src/main.ts';
import { ApprovalsService } from '../../src/approvals/index.ts';
import { AuditLog } from '../../src/audit/index.ts';
import { TotpFactors } from '../../src/auth/index.ts';
import type { Engine } from '../../src/engine/index.ts';
import { ExceptionsService } from '../../src/exceptions/index.ts';
import { PolicyRegistry } from '../../src/policies/index.ts';
import type { Keyring } from '../../src/secrets/index.ts';

/**
 * The API's services over an engine a test built itself (engineWith), for tests of the API
 * without a whole instance. Approvals and exceptions not given are made over the engine's
 * store, with no notifier: these tests send no e-mail. An instance (createCrossdock) wires
 * its own, with its notifier.
 */
export function servicesFor(
  engine: Engine,
  o: {
    keyring: Keyring | null;
    approvals?: ApprovalsService;
    exceptions?: ExceptionsService;
    policies?: PolicyRegistry;
    /** The authenticators `approvals` checks step-up codes with, when a test made both. */
    totp?: TotpFactors;
  },
): ApiServices {
  const db = engine.store.db as never;
  const now = () => engine.clock.now();
  const totp = o.totp ?? new TotpFactors(db, o.keyring, now);
  return createApiServices({
    engine,
    keyring: o.keyring,
    totp,
    sessionTtlMs: 3_600_000,
    approvals:
      o.approvals ??
      new ApprovalsService({
        db,
        now,
        audit: new AuditLog(db, now),
        wake: () => engine.store.wake(),
        secondFactor: totp,
      }),
    exceptions:
      o.exceptions ??
      new ExceptionsService({ db, now, audit: new AuditLog(db, now), runs: () => engine.runs }),
    policies: o.policies ?? new PolicyRegistry(),
  });
}
