import { sql } from 'kysely';
import { base32Decode, hotp, TOTP_PERIOD_S, timeStep } from '../../src/auth/index.ts';
import { eventually, type JumpingClock, type PackHarness } from './support.ts';

const STEP_MS = TOTP_PERIOD_S * 1000;

/**
 * The approvers' authenticator apps in a pack test: each enrols through Crossdock's own TOTP
 * service, and a code is computed from the enrolled secret at the test clock. A code counts
 * once, so each person's next code is of a later 30-second step than their last one; a step
 * one ahead of now is accepted, so two codes of one person need no wait. A third within one
 * step moves the test clock on, only once no run is being worked on: a worker's lease is as
 * long as a step, and a jump under a held lease would let a second worker take the run.
 */
export function testAuthenticators(h: PackHarness, clock: JumpingClock) {
  const secrets = new Map<string, Buffer>();
  const lastStep = new Map<string, number>();
  const idle = () =>
    eventually('no run is being worked on', async () => {
      const running = await sql<{ n: string }>`SELECT count(*) AS n FROM runs
        WHERE status = 'running'`.execute(h.crossdock.store.db);
      return Number(running.rows[0]!.n) === 0;
    });
  const next = async (email: string) => {
    const secret = secrets.get(email);
    if (!secret) throw new Error(`${email} has no authenticator enrolled in this test`);
    const step = Math.max(lastStep.get(email)! + 1, timeStep(clock.now()));
    if (step > timeStep(clock.now()) + 1) {
      await idle();
      clock.advance(STEP_MS);
    }
    lastStep.set(email, step);
    return hotp(secret, step);
  };
  return {
    /** Enrols and confirms an authenticator for each person (with the code of the current step). */
    async enrol(...emails: string[]): Promise<void> {
      for (const email of emails) {
        const who = h.approver(email);
        const started = await h.crossdock.services.totp.start(who.userId, email);
        const secret = base32Decode(started.secret);
        secrets.set(email, secret);
        const step = timeStep(clock.now());
        lastStep.set(email, step);
        await h.crossdock.services.totp.confirm(who.userId, hotp(secret, step));
      }
    },
    /** The person's next unused code. */
    code: next,
  };
}
