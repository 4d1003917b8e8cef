/**
 * The demo approvers' authenticator apps: each enrols a TOTP authenticator when the demo
 * starts, so the approver bot can decide step-up levels with a code, as a person would with
 * their phone. A code counts once, so each decision takes the next unused 30-second step:
 * at most three within the accepted window, after that the decision waits for the next step.
 */
import type { Decider } from '../approvals/index.ts';
import { base32Decode, hotp, TOTP_PERIOD_S, timeStep, type TotpFactors } from '../auth/index.ts';

const STEP_MS = TOTP_PERIOD_S * 1000;

export class DemoAuthenticators {
  readonly #secrets = new Map<string, Buffer>();
  readonly #lastStep = new Map<string, number>();

  private constructor(private readonly now: () => Date) {}

  /** Enrols and confirms one authenticator per person (the secret stays in this process). */
  static async enrol(
    totp: TotpFactors,
    people: Iterable<Decider>,
    now: () => Date,
  ): Promise<DemoAuthenticators> {
    const apps = new DemoAuthenticators(now);
    for (const person of people) {
      const started = await totp.start(person.userId, person.email);
      const secret = base32Decode(started.secret);
      // Confirmed with the previous step's code: the current one stays free for a decision.
      const step = timeStep(now()) - 1;
      await totp.confirm(person.userId, hotp(secret, step));
      apps.#secrets.set(person.userId, secret);
      apps.#lastStep.set(person.userId, step);
    }
    return apps;
  }

  /**
   * A code no decision of this person has used, and how long to wait before sending it (0:
   * now). The step is reserved at once, so decisions scheduled together get successive ones.
   */
  next(userId: string): { code: string; waitMs: number } | null {
    const secret = this.#secrets.get(userId);
    if (!secret) return null;
    const nowMs = this.now().getTime();
    const current = timeStep(new Date(nowMs));
    const step = Math.max((this.#lastStep.get(userId) ?? current - 1) + 1, current);
    this.#lastStep.set(userId, step);
    // Step s is accepted from the start of step s - 1 (one step early) to the end of step s + 1.
    const waitMs = step <= current + 1 ? 0 : (step - 1) * STEP_MS - nowMs;
    return { code: hotp(secret, step), waitMs };
  }
}
