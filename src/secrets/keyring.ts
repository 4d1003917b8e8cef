import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CrossdockError } from '../errors/index.ts';

/** One AES-256 key and its id (a fingerprint, safe to store and show). */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/** The key new secrets are sealed with, and older keys that can still open rows not yet re-encrypted. */
export interface Keyring {
  current: SecretKey;
  previous: SecretKey[];
  /** Where the keys came from, for messages ("environment" or the key file's path). */
  origin: string;
}

export interface KeySource {
  /** Base64 of 32 bytes (CROSSDOCK_SECRETS_KEY). */
  key: string | null;
  /** File holding base64 keys, one a line, the current one first (CROSSDOCK_SECRETS_KEY_FILE). */
  keyFile: string | null;
  /** Base64 keys that may still open old rows during a rotation (CROSSDOCK_SECRETS_PREVIOUS_KEYS). */
  previousKeys: string[];
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function parseKey(text: string, where: string): SecretKey {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.trim()) {
    throw new CrossdockError(
      'SECRETS_KEY_INVALID',
      `${where} is not a base64 AES-256 key (32 bytes); make one with: openssl rand -base64 32`,
      { category: 'user', retryable: false },
    );
  }
  return { id: keyId(key), key };
}

/**
 * Loads the keyring: from the environment if a key is set there, else from the key file.
 * With `generateIfMissing` a missing key file is created (0600) with a fresh key: the
 * embedded single-process setup needs no configuration. Only `openKeyringAtStart` may ask
 * for that, after checking that no secret is sealed yet. Returns null when no key is
 * configured and none may be generated: secrets are then unavailable (not silently plain).
 */
export function loadKeyring(
  source: KeySource,
  options: { generateIfMissing: boolean },
): Keyring | null {
  const previous = source.previousKeys.map((k, i) =>
    parseKey(k, `CROSSDOCK_SECRETS_PREVIOUS_KEYS[${i}]`),
  );
  if (source.key)
    return {
      current: parseKey(source.key, 'CROSSDOCK_SECRETS_KEY'),
      previous,
      origin: 'environment',
    };
  if (!source.keyFile) return null;
  if (!existsSync(source.keyFile)) {
    if (!options.generateIfMissing) return null;
    writeKeyFile(source.keyFile, [randomBytes(32)]);
  }
  const lines = readFileSync(source.keyFile, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0)
    throw new CrossdockError('SECRETS_KEY_INVALID', `The key file ${source.keyFile} holds no key`, {
      category: 'user',
      retryable: false,
    });
  const [current, ...older] = lines.map((l, i) => parseKey(l, `${source.keyFile} line ${i + 1}`));
  return { current: current!, previous: [...older, ...previous], origin: source.keyFile };
}

/** Writes keys (current first) atomically, readable by the owner only. */
export function writeKeyFile(path: string, keys: Buffer[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const staging = `${path}.${process.pid}.tmp`;
  const text = `# Crossdock secrets key (AES-256-GCM). Back it up with the state directory, kept apart from copies of the database; never in git.\n${keys.map((k) => k.toString('base64')).join('\n')}\n`;
  writeFileSync(staging, text, { mode: 0o600 });
  chmodSync(staging, 0o600);
  renameSync(staging, path);
}
