/**
 * Google's token introspection and PEM key endpoints, the two that `google-auth-library` calls in Node:
 * `/tokeninfo` (`OAuth2Client.getTokenInfo` POSTs the access token as a bearer header; `?access_token=`
 * and `?id_token=` work as GET or form fields too) and `/oauth2/v1/certs` (`verifyIdToken` fetches the
 * signing keys as `{kid: PEM certificate}` outside browsers; the JWK set is `/oauth2/v3/certs`).
 * tokeninfo answers values as strings, as Google does (`"exp": "1764000000"`, `"email_verified": "true"`),
 * and `400 {"error":"invalid_token","error_description":"Invalid Value"}` for a token it does not accept.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { GoogleState } from './state.ts';

type Params = Record<string, string | undefined>;

/** Registers `/tokeninfo` (GET and POST, also under `/oauth2/v3/`) and `/oauth2/v1/certs`. */
export function tokenInfoRoutes(app: FastifyInstance, state: GoogleState): void {
  app.get('/oauth2/v1/certs', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=21600');
    return state.key.certificates();
  });

  const info = async (request: FastifyRequest, reply: FastifyReply) => {
    const fields = { ...(request.query as Params), ...((request.body as Params | undefined) ?? {}) };
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const invalid = () =>
      reply.status(400).send({ error: 'invalid_token', error_description: 'Invalid Value' });
    if (fields.id_token !== undefined) {
      const claims = await idTokenClaims(state, fields.id_token);
      return claims ? claims : invalid();
    }
    const token = bearer ?? fields.access_token;
    const issued = token === undefined ? undefined : state.grants.access.get(token);
    const now = state.core.clock.now();
    if (!issued || issued.grant.revoked || (issued.expiresAt ?? 0) <= now) return invalid();
    const user = state.users.get(issued.grant.email);
    const answer: Record<string, string> = {
      azp: issued.grant.clientId,
      aud: issued.grant.clientId,
      ...(user ? { sub: user.id } : {}),
      scope: issued.scopes.join(' '),
      exp: String(Math.floor((issued.expiresAt ?? now) / 1000)),
      expires_in: String(Math.max(0, Math.floor(((issued.expiresAt ?? now) - now) / 1000))),
    };
    if (user && issued.scopes.includes('https://www.googleapis.com/auth/userinfo.email')) {
      answer.email = user.email;
      answer.email_verified = 'true';
    }
    answer.access_type = issued.grant.refreshIssued ? 'offline' : 'online';
    return answer;
  };
  for (const path of ['/tokeninfo', '/oauth2/v3/tokeninfo']) {
    app.get(path, info);
    app.post(path, info);
  }
}

/** An id_token's claims as strings, when it is one the sandbox signed and it has not expired. */
async function idTokenClaims(
  state: GoogleState,
  idToken: string,
): Promise<Record<string, string> | undefined> {
  try {
    const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(state.key.jwks()), {
      issuer: state.issuer(),
      currentDate: new Date(state.core.clock.now()),
    });
    const claims: Record<string, string> = {};
    for (const [name, value] of Object.entries(payload)) claims[name] = String(value);
    return { ...claims, alg: protectedHeader.alg, kid: protectedHeader.kid ?? '', typ: 'JWT' };
  } catch {
    return undefined;
  }
}
