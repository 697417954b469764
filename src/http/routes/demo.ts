/**
 * Demo mode only (`npm start`): a link that starts connecting a demo user's mailbox without first calling
 * the API with their token, so a newcomer can click through the whole flow. Never registered otherwise.
 * It creates the flow in the very browser that opens it, so it signs that browser in as the demo user
 * and binds it at once, where a start link from the API asks its user to sign in first.
 */
import type { FastifyPluginAsync } from 'fastify';
import { findOrganizationByRef } from '../../db/organizations.ts';
import { findUserByEmail } from '../../db/users.ts';
import { AppError } from '../../domain/errors.ts';
import { openLink, startFlow } from '../../services/connect.ts';
import type { AppContext } from '../../services/context.ts';
import { FlowError } from '../../services/flow-error.ts';
import { oauthCookies } from '../oauth-browser.ts';
import { resultPage } from '../pages.ts';

export const demoRoutes: FastifyPluginAsync<{ context: AppContext; domain: string }> = async (
  app,
  { context, domain },
) => {
  app.get<{ Querystring: { email?: string } }>(
    '/demo/connect',
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      const [org] = await findOrganizationByRef(context.db, domain);
      const user =
        org && request.query.email
          ? await findUserByEmail(context.db, org.id, request.query.email)
          : undefined;
      if (!org || !user) {
        return reply
          .status(404)
          .type('text/html')
          .send(resultPage('No such demo user', [`Use one of the demo users of ${domain}.`], false));
      }
      try {
        const demoUser = {
          kind: 'user',
          tokenId: 'demo',
          orgId: org.id,
          userId: user.id,
          role: user.role,
        } as const;
        const { code } = await startFlow(context, demoUser, 'connect');
        const { redirectTo, browserKey } = await openLink(context, code, demoUser);
        oauthCookies(context.publicUrl.startsWith('https:')).bind(reply, browserKey);
        return reply
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .redirect(redirectTo.href, 302);
      } catch (error) {
        if (!(error instanceof AppError) && !(error instanceof FlowError)) throw error;
        return reply
          .status(409)
          .type('text/html')
          .send(resultPage('Cannot connect', [error.message], false));
      }
    },
  );
};
