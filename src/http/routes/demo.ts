/**
 * Demo mode only (`npm start`): a link that starts connecting a demo user's mailbox without first calling
 * the API with their token, so a newcomer can click through the whole flow. Never registered otherwise.
 */
import type { FastifyPluginAsync } from 'fastify';
import { findOrganizationByRef } from '../../db/organizations.ts';
import { findUserByEmail } from '../../db/users.ts';
import { AppError } from '../../domain/errors.ts';
import { FlowError, startFlow } from '../../services/connect.ts';
import type { AppContext } from '../../services/context.ts';
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
        const { url } = await startFlow(
          context,
          { kind: 'user', tokenId: 'demo', orgId: org.id, userId: user.id, role: user.role },
          'connect',
        );
        return reply.redirect(url, 302);
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
