/** The secrets keyring: checked against the sealed secrets when an instance starts, or re-read by a command. */
import type { CrossdockConfig } from '../config/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { Logger } from '../observability/index.ts';
import { loadKeyring, openKeyringAtStart, type Keyring } from '../secrets/index.ts';
import type { Store } from '../store/index.ts';

/**
 * The keyring a starting instance uses, checked against the sealed secrets in the database:
 * a key file is made (embedded store, no key configured) only while there is no sealed secret,
 * and secrets that the keyring cannot open are reported, with what to do.
 */
export async function startKeyring(
  config: CrossdockConfig,
  store: Store,
  logger: Logger,
): Promise<Keyring | null> {
  const s = config.security;
  const { keyring, unreadable } = await openKeyringAtStart(
    store.db,
    { key: s.secretsKey, keyFile: s.secretsKeyFile, previousKeys: s.previousSecretsKeys },
    { generateIfMissing: s.generateSecretsKey },
  );
  if (!keyring && s.secretsKeyFileRequired) throw keyFileNotFound(s.secretsKeyFile);
  if (unreadable.length > 0) {
    const count = unreadable.reduce((sum, k) => sum + k.count, 0);
    logger.error(
      {
        keyIds: unreadable.map((k) => k.keyId),
        secrets: count,
        keys: keyring?.origin ?? 'none configured',
      },
      `${count} secret(s) in the database were sealed with a key this process does not have (${keyring ? `not in ${keyring.origin}` : 'no secrets key is configured'}): ` +
        'webhook sources that use them will fail. Give this process that key (restore the key file, or CROSSDOCK_SECRETS_PREVIOUS_KEYS), or set each secret again; see docs/OPERATIONS.md',
    );
  }
  return keyring;
}

function keyFileNotFound(path: string): CrossdockError {
  return new CrossdockError(
    'CONFIG_INVALID',
    `CROSSDOCK_SECRETS_KEY_FILE names ${path}, which does not exist`,
    {
      category: 'user',
      retryable: false,
      details: [{ path: 'CROSSDOCK_SECRETS_KEY_FILE', message: 'file not found' }],
    },
  );
}

/** The secrets keyring from the environment or the key file, as it is now (for commands that re-read it). */
export function secretsKeyring(config: CrossdockConfig): Keyring | null {
  const s = config.security;
  const keyring = loadKeyring(
    { key: s.secretsKey, keyFile: s.secretsKeyFile, previousKeys: s.previousSecretsKeys },
    { generateIfMissing: false },
  );
  if (!keyring && s.secretsKeyFileRequired) throw keyFileNotFound(s.secretsKeyFile);
  return keyring;
}
