/**
 * The JWT signing secret: ECGRID_JWT_SECRET when set; otherwise generated once
 * (CSPRNG) and kept in the settings table, sealed under the master key, so
 * that restarts and every instance on the database agree — and a copy of the
 * database alone cannot mint tokens.
 */
import type { Config } from '../config.js';
import type { KeyVault } from '../security/key-vault.js';
import { generateSigningSecret, TokenSigner } from '../security/tokens.js';
import type { Store } from '../store/store.js';

export const JWT_SECRET_SETTING = 'jwt-secret';

/** The secret's bytes, creating and storing it on first use (race-safe: the first stored value wins). */
export async function loadSigningSecret(config: Pick<Config, 'jwtSecret'>, store: Store, vault: KeyVault): Promise<Uint8Array> {
  if (config.jwtSecret !== null) return new TextEncoder().encode(config.jwtSecret);
  const candidate = vault.sealSetting(JWT_SECRET_SETTING, generateSigningSecret());
  const sealed = await store.read((r) => r.settings.getOrInit(JWT_SECRET_SETTING, candidate));
  try {
    return Buffer.from(vault.openSetting(JWT_SECRET_SETTING, sealed), 'base64url');
  } catch (error) {
    throw new Error(
      `cannot open the stored JWT signing secret (setting ${JWT_SECRET_SETTING}): ${(error as Error).message}; ` +
        'restore the master key it was sealed with, or set ECGRID_JWT_SECRET',
      { cause: error },
    );
  }
}

/** One TokenSigner per server instance, made on first use; a failed attempt is retried on the next use. */
export class SignerSource {
  #signer: Promise<TokenSigner> | undefined;

  constructor(
    private readonly config: Pick<Config, 'jwtSecret'>,
    private readonly store: Store,
    private readonly vault: KeyVault,
  ) {}

  get(): Promise<TokenSigner> {
    if (!this.#signer) {
      const attempt = loadSigningSecret(this.config, this.store, this.vault).then((secret) => TokenSigner.fromSecret(secret));
      attempt.catch(() => {
        if (this.#signer === attempt) this.#signer = undefined;
      });
      this.#signer = attempt;
    }
    return this.#signer;
  }
}
