import { randomBytes } from 'node:crypto';
import { CrossdockError } from '../../../errors/index.ts';
import { verifyPathToken } from '../../../triggers/index.ts';
import type { OdooSource } from './config.ts';

/** What the tokens need of the secret store (encrypted at rest; see src/secrets). */
export interface TokenSecrets {
  readonly available: boolean;
  info(name: string): Promise<unknown>;
  reveal(name: string): Promise<string>;
  put(name: string, value: string, description: string | null): Promise<unknown>;
}

/** A rotated token: the one Odoo's rules now post with, and the one before it until `previousUntil`. */
interface RotatedToken {
  current: string;
  previous: string | null;
  /** ISO time; the previous token is refused from then on. */
  previousUntil: string | null;
}

export interface Rotation {
  source: string;
  /** When the old token stops being accepted (now when the overlap is 0). */
  previousUntil: string;
}

/** How long a process trusts what it read from the store: the longest another process may accept a token that was rotated away. */
export const TOKEN_CACHE_MS = 1_000;

const secretName = (source: string) => `odoo.hook-token.${source}`;

/**
 * The secret path token of each Odoo source. Until it is rotated it is the configured one
 * (the source's `token_env`); `rotate` keeps a new random token, encrypted, in the store,
 * which from then on wins over the variable, in every process that shares the store (each
 * reads it again after TOKEN_CACHE_MS). During the overlap the old token is accepted too,
 * so hints that Odoo sends from transactions begun before its rules changed are not lost.
 */
export class HookTokens {
  readonly #cache = new Map<string, { value: RotatedToken | null; readAtMs: number }>();

  constructor(
    private readonly secrets: () => TokenSecrets | null,
    private readonly now: () => Date,
  ) {}

  /** The token Odoo's rules should post with now. */
  async current(source: OdooSource): Promise<string> {
    return (await this.#rotated(source))?.current ?? source.token;
  }

  /** The tokens accepted now: the current one, and the previous one within its overlap. */
  async accepted(source: OdooSource): Promise<string[]> {
    const rotated = await this.#rotated(source);
    if (!rotated) return [source.token];
    const previousValid =
      rotated.previous !== null &&
      rotated.previousUntil !== null &&
      this.now().getTime() < Date.parse(rotated.previousUntil);
    return previousValid ? [rotated.current, rotated.previous!] : [rotated.current];
  }

  /** Whether `given` is one of the accepted tokens (compared by the webhook verifier, in constant time). */
  async accepts(source: OdooSource, given: string): Promise<boolean> {
    return verifyPathToken(given, await this.accepted(source)).ok;
  }

  /**
   * Makes a new token current; the one in use so far is accepted for `overlapMs` more. The
   * caller then writes the new URL into Odoo's rules: the new token is accepted before Odoo
   * can use it.
   */
  async rotate(source: OdooSource, overlapMs: number): Promise<Rotation> {
    const secrets = this.secrets();
    if (!secrets?.available) {
      throw new CrossdockError(
        'SECRETS_KEY_MISSING',
        'Rotating an Odoo webhook token keeps it encrypted in the store: set CROSSDOCK_SECRETS_KEY or CROSSDOCK_SECRETS_KEY_FILE (see docs/API.md)',
        { category: 'user', retryable: false },
      );
    }
    this.#cache.delete(source.name);
    const previous = await this.current(source);
    const previousUntil = new Date(this.now().getTime() + overlapMs).toISOString();
    const next: RotatedToken = {
      current: randomBytes(24).toString('base64url'),
      previous,
      previousUntil,
    };
    await secrets.put(
      secretName(source.name),
      JSON.stringify(next),
      `webhook path token of Odoo source ${source.name}`,
    );
    this.#cache.set(source.name, { value: next, readAtMs: this.now().getTime() });
    return { source: source.name, previousUntil };
  }

  async #rotated(source: OdooSource): Promise<RotatedToken | null> {
    const nowMs = this.now().getTime();
    const cached = this.#cache.get(source.name);
    if (cached && nowMs - cached.readAtMs < TOKEN_CACHE_MS && nowMs >= cached.readAtMs)
      return cached.value;
    const secrets = this.secrets();
    let value: RotatedToken | null = null;
    if (secrets?.available && (await secrets.info(secretName(source.name))) !== undefined) {
      value = JSON.parse(await secrets.reveal(secretName(source.name))) as RotatedToken;
    }
    this.#cache.set(source.name, { value, readAtMs: nowMs });
    return value;
  }
}
