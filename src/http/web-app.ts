/**
 * The web app (`web/`, built into `web/dist` by `cli/web-build.ts`), served by the API process: its
 * hashed assets under `/assets/` (cached for good: a new build has new names), and `index.html` for each
 * of the app's pages (`web/src/paths.ts`) and nothing else, so `/api`, `/oauth`, `/webhooks` and unknown
 * paths keep their own answers. The page carries the app's Content-Security-Policy (security-headers.ts).
 *
 * Nothing is registered when there is no build: the API works without the app (tests that need the app
 * build it once in their global setup; `npm start` builds it when missing or stale).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { PAGES } from '../../web/src/paths.ts';

export const webApp: FastifyPluginAsync<{ dist: string }> = async (app, { dist }) => {
  const indexFile = path.join(dist, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ dist }, 'the web app is not built: only the API is served');
    return;
  }
  await app.register(fastifyStatic, {
    root: path.join(dist, 'assets'),
    prefix: '/assets/',
    wildcard: false,
    decorateReply: false,
    immutable: true,
    maxAge: '365d',
    index: false,
    schemaHide: true,
  });
  // Read once: the build does not change under a running process.
  const index = readFileSync(indexFile, 'utf8');
  for (const page of Object.values(PAGES)) {
    app.get(page, { config: { public: true, csp: 'app' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(index),
    );
  }
};
