/**
 * Signing keys for the tokens the sandbox issues (id_tokens, push JWTs), and their published key sets.
 * The key pair is kept as JWK data on the key itself, so a saved sandbox (persistence.ts) restores the
 * very key: tokens signed before a restart still verify against the keys published after it.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey as NodeJwk, randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { certificatePem } from './tls.ts';

export interface SigningKey {
  kid: string;
  /** The key pair as data (what a snapshot keeps). */
  publicJwk: JWK;
  privateJwk: JWK;
  /** The public key set to serve at a `jwks_uri`. */
  jwks(): { keys: JWK[] };
  /** The public key as PEM X.509 certificates by `kid` (Google's `/oauth2/v1/certs` format). */
  certificates(): Record<string, string>;
  sign(
    claims: Record<string, unknown>,
    options: { issuer: string; audience: string; expiresInSeconds: number; now: number },
  ): Promise<string>;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(10).toString('hex');
  // The imported private key, for the kid it was imported for (a restore replaces the JWK and the kid).
  let imported: { kid: string; key: CryptoKey | Uint8Array } = { kid, key: privateKey };
  // The certificate of the current key, made when first asked for (and again after a restore).
  let certificate: { kid: string; pem: string } | undefined;
  const key: SigningKey = {
    kid,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
    jwks: () => ({ keys: [key.publicJwk] }),
    certificates: () => {
      if (certificate?.kid !== key.kid) {
        // Google's certificates are valid for about two weeks around their publication.
        const now = Date.now();
        const pem = certificatePem({
          commonName: 'talentsync sandbox signing key',
          publicKey: createPublicKey({ key: key.publicJwk as NodeJwk, format: 'jwk' }),
          privateKey: createPrivateKey({ key: key.privateJwk as NodeJwk, format: 'jwk' }),
          notBefore: new Date(now - 86_400_000),
          notAfter: new Date(now + 14 * 86_400_000),
        });
        certificate = { kid: key.kid, pem };
      }
      return { [key.kid]: certificate.pem };
    },
    sign: async (claims, { issuer, audience, expiresInSeconds, now }) => {
      if (imported.kid !== key.kid)
        imported = { kid: key.kid, key: await importJWK(key.privateJwk, 'RS256') };
      const iat = Math.floor(now / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + expiresInSeconds)
        .sign(imported.key);
    },
  };
  return key;
}
