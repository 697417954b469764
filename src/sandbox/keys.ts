/** Signing keys for the tokens the sandbox issues (id_tokens, push JWTs), and their published key sets. */
import { KeyObject, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { certificatePem } from './tls.ts';

export interface SigningKey {
  kid: string;
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
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  // Google's certificates are valid for about two weeks around their publication.
  const now = Date.now();
  const pem = certificatePem({
    commonName: 'talentsync sandbox signing key',
    publicKey: KeyObject.from(publicKey),
    privateKey: KeyObject.from(privateKey),
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 14 * 86_400_000),
  });
  return {
    kid,
    jwks: () => ({ keys: [jwk] }),
    certificates: () => ({ [kid]: pem }),
    sign: (claims, { issuer, audience, expiresInSeconds, now }) => {
      const iat = Math.floor(now / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + expiresInSeconds)
        .sign(privateKey);
    },
  };
}
