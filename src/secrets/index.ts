export { SecretStore, SECRET_NAME, sealedKeyCounts, type SecretInfo } from './store.ts';
export { openKeyringAtStart, type KeyringAtStart } from './startup.ts';
export {
  loadKeyring,
  parseKey,
  keyId,
  writeKeyFile,
  type Keyring,
  type KeySource,
  type SecretKey,
} from './keyring.ts';
export { seal, open } from './box.ts';
