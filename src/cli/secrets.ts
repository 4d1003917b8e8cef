import { randomBytes } from 'node:crypto';
import type { CrossdockConfig } from '../config/index.ts';
import { secretsKeyring } from '../main.ts';
import { loadKeyring, writeKeyFile, type SecretInfo } from '../secrets/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { cliActor, directOrRemote } from './operations.ts';
import { table, usageError, type Output } from './output.ts';

/**
 * `crossdock secrets set <name> [--description D]` (the value is read from stdin, never
 * from the command line), `list`, and `rotate-key`.
 */
export async function secretsCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: { api?: string; description?: string },
  out: Output,
): Promise<number> {
  const [sub, name] = rest;
  if (sub === 'list') {
    return directOrRemote(
      config,
      flags.api,
      async (c) => printList(await c.services.secrets.list(), out),
      async (call) =>
        printList((await call<{ secrets: SecretInfo[] }>('GET', '/api/v1/secrets')).secrets, out),
    );
  }
  if (sub === 'set' && name) {
    const value = await readStdin();
    if (value === '')
      throw usageError(
        'pipe the secret value on stdin: printf %s "$VALUE" | crossdock secrets set <name>',
      );
    return directOrRemote(
      config,
      flags.api,
      async (c) => {
        const info = await c.services.secrets.put(name, value, flags.description ?? null);
        await c.services.audit.append({
          actor: cliActor(),
          action: 'secret.set',
          target: `secret:${name}`,
          details: { keyId: info.keyId },
        });
        out.result(info, () => `secret ${name} stored (key ${info.keyId})`);
        return 0;
      },
      async (call) => {
        const info = await call<SecretInfo>('POST', '/api/v1/secrets', {
          name,
          value,
          ...(flags.description ? { description: flags.description } : {}),
        });
        out.result(info, () => `secret ${name} stored (key ${info.keyId})`);
        return 0;
      },
    );
  }
  if (sub === 'rotate-key') return rotateKey(config, out);
  throw usageError(
    'usage: crossdock secrets set <name> [--description D] (value on stdin) | list | rotate-key',
  );
}

/**
 * With a key file: a new key is generated and written first, ahead of the old one (so a
 * crash leaves both usable); every secret is re-encrypted in one transaction; then the file
 * keeps only the new key. With CROSSDOCK_SECRETS_KEY: put the new key there and the old one
 * in CROSSDOCK_SECRETS_PREVIOUS_KEYS, run this, then drop the old one.
 */
async function rotateKey(config: CrossdockConfig, out: Output): Promise<number> {
  const s = config.security;
  const fromFile = s.secretsKey === null;
  if (fromFile) {
    const current = loadKeyring(
      { key: null, keyFile: s.secretsKeyFile, previousKeys: [] },
      { generateIfMissing: false },
    );
    if (!current)
      throw new CrossdockError(
        'SECRETS_KEY_MISSING',
        `No key file at ${s.secretsKeyFile}: nothing to rotate`,
        { category: 'user', retryable: false },
      );
    writeKeyFile(s.secretsKeyFile, [
      randomBytes(32),
      current.current.key,
      ...current.previous.map((k) => k.key),
    ]);
  }
  const code = await directOrRemote(
    config,
    undefined,
    async (c) => {
      const result = await c.services.secrets.reencryptAll();
      // Authenticator secrets are sealed with the same key: re-sealed before the old key goes.
      const factors = await c.services.totp.reseal();
      const keyring = secretsKeyring(config)!;
      if (fromFile) writeKeyFile(s.secretsKeyFile, [keyring.current.key]);
      await c.services.audit.append({
        actor: cliActor(),
        action: 'secrets.rotate-key',
        target: null,
        details: {
          keyId: keyring.current.id,
          reencrypted: result.reencrypted,
          total: result.total,
          authenticators: factors.resealed,
        },
      });
      out.result(
        { keyId: keyring.current.id, ...result, authenticators: factors },
        () =>
          `secrets re-encrypted under key ${keyring.current.id}: ${result.reencrypted} of ${result.total} changed key, and ${factors.resealed} of ${factors.total} authenticator secret(s)${fromFile ? `; ${s.secretsKeyFile} now holds only the new key` : '; you can now remove the old key from CROSSDOCK_SECRETS_PREVIOUS_KEYS'}`,
      );
      return 0;
    },
    async () => {
      throw new CrossdockError(
        'STORE_LOCKED',
        'Stop Crossdock first: rotating the key re-encrypts the store and changes the key the running process holds',
        { category: 'user', retryable: false },
      );
    },
  );
  return code;
}

function printList(secrets: SecretInfo[], out: Output): number {
  out.result({ secrets }, () => table(secrets, ['name', 'description', 'keyId', 'updatedAt']));
  return 0;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw usageError('pipe the secret value on stdin (it is never taken from the command line)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
