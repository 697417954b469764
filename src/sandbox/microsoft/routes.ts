/**
 * The public endpoints under `/microsoft`: the identity platform under `/login/{tenant}/…` and Graph under
 * `/graph/v1.0/…` (one catch-all route feeding the Graph pipeline, so direct calls and `$batch` items are
 * served alike), plus the OIDC userinfo endpoint Graph hosts at `/graph/oidc/userinfo`.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { authorizeRoutes } from './authorize.ts';
import type { MicrosoftContext } from './context.ts';
import { discoveryRoutes } from './discovery.ts';
import type { GraphApi } from './graph.ts';
import { type GraphCall, type GraphReply, graphError } from './graph-http.ts';
import { pairwiseSubject, tokenRoutes } from './token.ts';

const VERSION_PATH = '/graph/v1.0/';

/** Turns an HTTP request into a Graph call (body parsed as JSON), or the 400 Graph gives for bad JSON. */
function toCall(
  method: string,
  url: string,
  rawHeaders: Record<string, string | string[] | undefined>,
  body: unknown,
): GraphCall | undefined {
  const rest = url.slice(url.indexOf(VERSION_PATH) + VERSION_PATH.length);
  const mark = rest.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let parsed: unknown;
  if (Buffer.isBuffer(body) && body.length > 0) {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  return {
    method,
    path: mark === -1 ? rest : rest.slice(0, mark),
    query: new URLSearchParams(mark === -1 ? '' : rest.slice(mark + 1)),
    headers,
    body: parsed,
  };
}

/** The Fastify plugin for `/microsoft`. */
export function publicRoutes(ctx: MicrosoftContext, graph: GraphApi): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    discoveryRoutes(app, ctx);
    authorizeRoutes(app, ctx);
    tokenRoutes(app, ctx);

    await app.register(async (scope) => {
      // Graph reads its own bodies, so malformed JSON gets Graph's error rather than Fastify's.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

      const send = (reply: FastifyReply, answer: GraphReply) => {
        // A `$batch` item's answer travels inside the batch's, so only answers sent here count bytes.
        if (answer.counted)
          ctx.core.counters.attribute(reply.request, 'microsoft', answer.counted.user, answer.counted.op);
        reply.status(answer.status).headers(answer.headers);
        if (answer.body === undefined) return reply.send();
        if (Buffer.isBuffer(answer.body) || typeof answer.body === 'string') return reply.send(answer.body);
        return reply.send(JSON.stringify(answer.body));
      };

      scope.all('/graph/v1.0/*', async (request, reply) => {
        const call = toCall(request.method, request.url, request.headers, request.body);
        if (!call) {
          const id = ctx.ids.guid();
          return send(
            reply,
            graphError(
              400,
              'BadRequest',
              'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
              ctx.core.clock.now(),
              id,
            ),
          );
        }
        return send(reply, await graph.handle(call));
      });

      scope.get('/graph/oidc/userinfo', async (request, reply) => {
        const token = /^bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
        const record = ctx.grants.accessToken(token);
        const now = ctx.core.clock.now();
        if (
          !record ||
          record.grant.revokedAt !== undefined ||
          now >= record.expiresAt ||
          !record.scopes.has('openid')
        ) {
          return send(
            reply,
            graphError(
              401,
              'InvalidAuthenticationToken',
              'Access token validation failure.',
              now,
              ctx.ids.guid(),
            ),
          );
        }
        const { user, clientId } = record.grant;
        const [given, ...family] = user.name.split(' ');
        return {
          sub: pairwiseSubject(user, clientId),
          name: user.name,
          family_name: family.join(' ') || undefined,
          given_name: given,
          picture: `${ctx.core.baseUrl}/microsoft/graph/v1.0/me/photo/$value`,
          email: record.scopes.has('email') ? (user.mail ?? undefined) : undefined,
        };
      });
    });
  };
}
