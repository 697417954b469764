/**
 * The token vault's cipher: AES-256-GCM under keys named by id, so keys can rotate.
 *
 * A sealed value is `v1.<keyId>.<base64url(iv | tag | ciphertext)>`. Each is bound to where it is stored
 * (the "context", e.g. `connection:<id>:refresh_token`) as GCM additional data: a ciphertext copied into
 * another row or column fails to open instead of handing one mailbox's token to another.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config.ts';

export interface Vault {
  /** Encrypts under the current (first) key. */
  seal(plaintext: string, context: string): string;
  /** Decrypts with whichever configured key sealed it; throws if none did or the context differs. */
  open(sealed: string, context: string): string;
  /** The id of the key that sealed a value, without decrypting it. */
  keyIdOf(sealed: string): string;
  /** The id of the key new values are sealed with. */
  currentKeyId: string;
  /**
   * Keyed hashes of `value` for `purpose` (HMAC-SHA256 under a key derived from each vault key), the
   * current key's first: a value is stored under the first and looked up under all, so rotation keeps it.
   */
  digests(purpose: string, value: string): Buffer[];
}

export class VaultError extends Error {
  override name = 'VaultError';
}

const VERSION = 'v1';

export function createVault(keys: EncryptionKey[]): Vault {
  const [current] = keys;
  if (!current) throw new VaultError('the vault needs at least one key');
  const byId = new Map(keys.map((key) => [key.id, key.key]));
  const derived = new Map<string, Buffer[]>();
  // A separate key per purpose (HKDF), so a hash never doubles as anything sealed with the AES key.
  const hashKeys = (purpose: string) => {
    let found = derived.get(purpose);
    if (!found) {
      found = keys.map((key) =>
        Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), `talentsync ${purpose}`, 32)),
      );
      derived.set(purpose, found);
    }
    return found;
  };
  return {
    currentKeyId: current.id,
    digests(purpose, value) {
      return hashKeys(purpose).map((key) => createHmac('sha256', key).update(value, 'utf8').digest());
    },
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const payload = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
      return `${VERSION}.${current.id}.${payload}`;
    },
    open(sealed, context) {
      const [version, keyId, payload] = sealed.split('.');
      if (version !== VERSION || !keyId || !payload) throw new VaultError('not a sealed value');
      const key = byId.get(keyId);
      if (!key)
        throw new VaultError(`sealed with key "${keyId}", which is not configured in TOKEN_ENCRYPTION_KEY`);
      const bytes = Buffer.from(payload, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new VaultError(
          'a sealed value failed its integrity check (wrong key, or moved from elsewhere)',
        );
      }
    },
    keyIdOf(sealed) {
      const [version, keyId] = sealed.split('.');
      if (version !== VERSION || !keyId) throw new VaultError('not a sealed value');
      return keyId;
    },
  };
}
