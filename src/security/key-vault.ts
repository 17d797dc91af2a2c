/**
 * Seals and opens retrievable primary API keys under the master key. The
 * owning user's id is bound into each ciphertext, so a ciphertext copied onto
 * another user's row does not open. Server secrets kept in the database (the
 * JWT signing secret) are sealed the same way, bound to their setting's name.
 */
import { decryptSecret, encryptSecret, loadOrCreateKeyFile, parseMasterKey } from './master-key.js';

export class KeyVault {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    this.#key = masterKey;
  }

  static fromConfig(config: { masterKey: string | null; masterKeyFile: string | null }): KeyVault {
    if (config.masterKey) return new KeyVault(parseMasterKey(config.masterKey));
    if (config.masterKeyFile) return new KeyVault(loadOrCreateKeyFile(config.masterKeyFile));
    throw new Error('no master key configured');
  }

  seal(userId: number, apiKey: string): string {
    return encryptSecret(this.#key, apiKey, `user:${userId}`);
  }

  open(userId: number, sealed: string): string {
    return decryptSecret(this.#key, sealed, `user:${userId}`);
  }

  /** Seals a server secret kept in the settings table; the setting's name is bound in. */
  sealSetting(name: string, value: string): string {
    return encryptSecret(this.#key, value, `setting:${name}`);
  }

  openSetting(name: string, sealed: string): string {
    return decryptSecret(this.#key, sealed, `setting:${name}`);
  }
}
