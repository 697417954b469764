/**
 * The browser's side of OAuth: the start link (binds the browser with a cookie, then on to the provider)
 * and the single callback both providers redirect to. Answers are HTML pages for a person, not JSON.
 */
import type { FastifyPluginAsync } from 'fastify';
import { FlowError, finishFlow, openLink, PROVIDER_NAMES } from '../../services/connect.ts';
import type { AppContext } from '../../services/context.ts';
import { resultPage } from '../pages.ts';

const COOKIE = 'talentsync_oauth';

export const oauthRoutes: FastifyPluginAsync<{ context: AppContext }> = async (app, { context }) => {
  const secure = context.publicUrl.startsWith('https:');
  const html = (ok: boolean, title: string, lines: string[]) => resultPage(title, lines, ok);

  app.get<{ Params: { code: string } }>(
    '/oauth/start/:code',
    {
      config: { public: true },
      schema: {
        hide: true,
        params: { type: 'object', properties: { code: { type: 'string', maxLength: 100 } } },
      },
    },
    async (request, reply) => {
      try {
        const { redirectTo, browserKey } = await openLink(context, request.params.code);
        reply.setCookie(COOKIE, browserKey, {
          path: '/oauth',
          httpOnly: true,
          sameSite: 'lax',
          secure,
          maxAge: 600,
        });
        return reply.header('cache-control', 'no-store').redirect(redirectTo.href, 302);
      } catch (error) {
        if (!(error instanceof FlowError)) throw error;
        return reply
          .status(400)
          .type('text/html')
          .send(html(false, 'Cannot start connecting', [error.message]));
      }
    },
  );

  app.get('/oauth/callback', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const callbackUrl = new URL(request.url, context.publicUrl);
    reply.clearCookie(COOKIE, { path: '/oauth' }).header('cache-control', 'no-store').type('text/html');
    try {
      const result = await finishFlow(context, callbackUrl, request.cookies[COOKIE]);
      if (result.kind === 'admin_consented') {
        return html(true, 'Admin consent granted', [
          `talentsync may now be used by everyone in your Microsoft 365 organization (tenant ${result.tenantId}).`,
          'Each recruiter still connects their own mailbox.',
        ]);
      }
      const lines = [
        `${result.address} is ${result.reconnected ? 'connected again; sync resumes where it stopped' : 'connected'} (${PROVIDER_NAMES[result.provider]}).`,
        'Mail you exchange with candidates from now on will appear on their communication history, private to you until you share it.',
      ];
      if (result.warning) lines.push(`Warning: ${result.warning}`);
      lines.push('You can close this page.');
      return html(true, 'Mailbox connected', lines);
    } catch (error) {
      if (!(error instanceof FlowError)) throw error;
      request.log.info({ code: error.code }, 'OAuth flow ended without connecting');
      return reply.status(400).send(html(false, 'Mailbox not connected', [error.message]));
    }
  });
};
