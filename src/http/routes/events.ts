/**
 * `GET /api/events`: server-sent events that tell the signed-in recruiter *that* something they may see
 * changed (`services/live-events.ts`), so the web app refetches without a reload. Content never travels
 * here: an event names `threads` or a member's `history`, and the page asks the ordinary routes, which
 * enforce R15. The web app's `EventSource` sends the session cookie; a bearer token works too.
 *
 * Each stream: a comment every `heartbeatMs` (proxies and browsers keep it open, and a vanished client is
 * noticed by the failed write), a `retry:` hint, and an end after `maxAgeMs`, when the browser reconnects and
 * so authenticates again: a revoked or expired session stops hearing within that time. At most
 * `maxPerViewer` streams per user (429 past it). Server close ends every stream first (`preClose`), so it
 * never waits on them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.ts';
import type { LiveEvent, LiveEvents } from '../../services/live-events.ts';
import { userOf } from '../auth.ts';
import { GRACE } from '../examples/world.ts';
import { errors } from '../schemas.ts';

export const eventRoutes: FastifyPluginAsyncTypebox<{
  /** Unset (no database pool to listen on): the route answers 503. */
  live: LiveEvents | undefined;
  heartbeatMs?: number;
  maxAgeMs?: number;
}> = async (app, { live, heartbeatMs = 15_000, maxAgeMs = 5 * 60_000 }) => {
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
    await live?.close();
  });

  app.get(
    '/api/events',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['web app'],
        summary: 'Live updates: that something you may see changed (server-sent events)',
        description:
          'A `text/event-stream`. Each event is `data: {"type":"threads"}` (synced threads you may see ' +
          'changed: refetch `GET /api/threads`) or `data: {"type":"history","memberId":"…"}` (refetch that ' +
          "member's history). Never content. Comments (`: heartbeat`) keep it open; the server ends it " +
          'after a few minutes and the client reconnects. At most 5 streams per user (429). Requires ' +
          '`Accept: text/event-stream` (400 without).',
        response: {
          200: {
            description: 'The event stream',
            content: {
              'text/event-stream': {
                schema: Type.String(),
                example: `data: {"type":"threads"}\n\n: heartbeat\n\ndata: {"type":"history","memberId":"${GRACE.id}"}\n\n`,
              },
            },
          },
          ...errors(400, 401, 403, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const viewer = userOf(request);
      // Only a client that asks for a stream gets one (EventSource always does): any other GET, a
      // crawler's or a test's walking the API, gets an answer and never an endless body.
      if (!/\btext\/event-stream\b/.test(request.headers.accept ?? '')) {
        throw new AppError('bad_request', 'ask for this stream with Accept: text/event-stream');
      }
      if (!live) throw new AppError('unavailable', 'live updates are not available on this server');
      const raw = reply.raw;
      const write = (text: string) => {
        if (!raw.destroyed && !raw.writableEnded) raw.write(text);
      };
      const send = (event: LiveEvent) => write(`data: ${JSON.stringify(event)}\n\n`);
      const unsubscribe = await live.subscribe({ orgId: viewer.orgId, userId: viewer.userId }, send);
      if (!unsubscribe) {
        throw new AppError('rate_limited', 'too many live update streams are open for you; close a tab');
      }
      reply.hijack();
      // Headers set so far (the security headers) go out with the stream, which bypasses reply hooks.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) raw.setHeader(name, value);
      }
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      write('retry: 3000\n: connected\n\n');
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      const expiry = setTimeout(() => end(), maxAgeMs);
      const end = () => {
        if (!streams.delete(end)) return;
        clearInterval(heartbeat);
        clearTimeout(expiry);
        unsubscribe();
        if (!raw.writableEnded) raw.end();
      };
      streams.add(end);
      // The response's close: the browser went away, or the stream ended (the request's own close may come
      // as soon as its body is read, which says nothing about the connection).
      raw.on('close', end);
      raw.on('error', end);
    },
  );
};
