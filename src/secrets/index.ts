export { SecretStore, SECRET_NAME, type SecretInfo } from './store.ts';
export { loadKeyring, parseKey, keyId, writeKeyFile, type Keyring, type KeySource, type SecretKey } from './keyring.ts';
export { seal, open } from './box.ts';
