import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CrossdockError } from '../errors/index.ts';
import type { Keyring, SecretKey } from './keyring.ts';

const VERSION = 'v1';

/**
 * AES-256-GCM with a fresh 96-bit IV per value. The secret's name is the additional
 * authenticated data: a ciphertext moved under another name fails to open.
 */
export function seal(key: SecretKey, name: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    key.id,
    iv.toString('base64'),
    cipher.getAuthTag().toString('base64'),
    data.toString('base64'),
  ].join(':');
}

export function open(keyring: Keyring, name: string, sealed: string): string {
  const [version, id, iv, tag, data] = sealed.split(':');
  if (version !== VERSION || !id || !iv || !tag || data === undefined)
    throw unreadable(name, 'it is not in the v1 format');
  const key = [keyring.current, ...keyring.previous].find((k) => k.id === id);
  if (!key)
    throw unreadable(
      name,
      `it was sealed with key ${id}, which is not in the keyring (${keyring.origin})`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw unreadable(
      name,
      'the authentication tag does not match (altered, or stored under another name)',
    );
  }
}

/** Which key sealed a value (without opening it). */
export function sealedKeyId(sealed: string): string | undefined {
  return sealed.split(':')[1];
}

function unreadable(name: string, why: string): CrossdockError {
  return new CrossdockError('SECRET_UNREADABLE', `Secret "${name}" cannot be decrypted: ${why}`, {
    category: 'user',
    retryable: false,
  });
}
