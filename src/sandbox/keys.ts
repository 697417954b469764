/** Signing keys for the tokens the sandbox issues (id_tokens, push JWTs), and their published key sets. */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface SigningKey {
  kid: string;
  /** The public key set to serve at a `jwks_uri`. */
  jwks(): { keys: JWK[] };
  sign(
    claims: Record<string, unknown>,
    options: { issuer: string; audience: string; expiresInSeconds: number; now: number },
  ): Promise<string>;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(10).toString('hex');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    kid,
    jwks: () => ({ keys: [jwk] }),
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
