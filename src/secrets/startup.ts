import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import { loadKeyring, type Keyring, type KeySource } from './keyring.ts';
import { sealedKeyCounts } from './store.ts';

export interface KeyringAtStart {
  keyring: Keyring | null;
  /** Keys that sealed secrets in the database and are not in the keyring, with how many each. */
  unreadable: { keyId: string; count: number }[];
}

/**
 * The keyring for a starting instance, checked against the sealed secrets in the database.
 *
 * A key is generated only where `generateIfMissing` allows it (the embedded store, no key
 * configured) **and** the database holds no sealed secret: a new key would open none of them,
 * and every webhook source would fail. A missing key file with sealed secrets stops the start
 * (SECRETS_KEY_FILE_MISSING), naming the file and how to restore it. Sealed secrets that the
 * keyring cannot open (a different key file) are returned, for the caller to report; they
 * do not stop the start, so the secrets can be set again through the API.
 */
export async function openKeyringAtStart<DB>(
  db: Kysely<DB>,
  source: KeySource,
  options: { generateIfMissing: boolean },
): Promise<KeyringAtStart> {
  const sealed = await sealedKeyCounts(db);
  const total = sealed.reduce((sum, k) => sum + k.count, 0);
  if (
    options.generateIfMissing &&
    total > 0 &&
    !source.key &&
    source.keyFile &&
    !existsSync(source.keyFile)
  ) {
    throw new CrossdockError(
      'SECRETS_KEY_FILE_MISSING',
      `The secrets key file ${source.keyFile} is missing, but the database holds ${total} secret(s) sealed with key ${sealed.map((k) => k.keyId).join(', ')}. ` +
        `A new key would open none of them, so none is made. Restore ${source.keyFile} from your backup of the state directory ` +
        '(or set CROSSDOCK_SECRETS_KEY to that key) and start again; see "Backups" and "Faults" in docs/OPERATIONS.md.',
      { category: 'user', retryable: false },
    );
  }
  const keyring = loadKeyring(source, {
    generateIfMissing: options.generateIfMissing && total === 0,
  });
  const held = new Set(keyring ? [keyring.current.id, ...keyring.previous.map((k) => k.id)] : []);
  return { keyring, unreadable: sealed.filter((k) => !held.has(k.keyId)) };
}
