/**
 * Security headers on every answer, through `@fastify/helmet`: `nosniff`, no framing, no referrer (OAuth
 * URLs carry single-use codes), and a Content-Security-Policy that fits what is answered:
 * - JSON, text and errors load nothing and may be framed by nobody: `default-src 'none'`;
 * - our HTML pages (OAuth results, the demo's) are self-contained and style themselves inline;
 * - the Swagger UI at `/api/docs` loads its own scripts and styles, and the OpenAPI document, from here;
 * - the web app's page (routes with `config.csp: 'app'`, see web-app.ts) runs only its own bundle.
 * Answers are not kept by caches (they hold private mail and OAuth outcomes), except the docs' assets.
 *
 * Helmet sets its headers as a request arrives, before the answer's type is known; the policy for HTML is
 * put in place as the answer is sent. Registered before every route, so that it covers them all, the
 * Swagger UI's, 404s and errors included.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const NONE = ["'none'"];

/** Our HTML pages: inline styles only; no script, no image or frame from anywhere. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";
/** What the Swagger UI needs: its bundle, its stylesheet (and the inline styles it sets), its icons. */
const DOCS_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The web app: its own scripts only (no inline script, no eval), its own stylesheet, calls to this API only,
 * no plugins, no framing. Email bodies render in `srcdoc` frames, which inherit this policy on top of their
 * own (a sandbox without scripts, images blocked until the viewer asks): `style-src 'unsafe-inline'` lets
 * a message keep its inline styles, and `img-src` is open only so that "show images" can work at all.
 */
const APP_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; " +
  "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `app`: the answer is the web app's page, with its policy. */
    csp?: 'app';
  }
}

export const securityHeaders = fp(
  async (app: FastifyInstance, options: { docsPrefix: string }) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: NONE, frameAncestors: NONE, baseUri: NONE, formAction: NONE },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    });
    app.addHook('onSend', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const docs = path === options.docsPrefix || path.startsWith(`${options.docsPrefix}/`);
      const type = String(reply.getHeader('content-type') ?? '');
      if (docs) reply.header('content-security-policy', DOCS_POLICY);
      else if (request.routeOptions.config?.csp === 'app')
        reply.header('content-security-policy', APP_POLICY);
      else if (type.startsWith('text/html')) reply.header('content-security-policy', PAGE_POLICY);
      if (!docs && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });
  },
  { name: 'security-headers' },
);
