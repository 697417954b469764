/**
 * The browser's side of OAuth. Answers are HTML pages for a person, not JSON:
 *
 * - `GET /oauth/start/:code`: the start link. It may have been forwarded, so it only shows which user and
 *   organization the mailbox would be connected to, and asks that user to sign in.
 * - `POST /oauth/start`: the sign-in form. Only the flow's own user gets the binding cookie and is sent
 *   on to the provider.
 * - `GET /oauth/callback`: the single redirect URI of both providers.
 * - `POST /oauth/confirm`: the user's own "connect this personal mailbox anyway" (R8).
 *
 * Every answer here is `no-store` and `no-referrer`: the URLs carry single-use secrets (the link's code,
 * the provider's code and state), and the pages name people.
 */
import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PAGES } from '../../../web/src/paths.ts';
import {
  confirmPersonalMailbox,
  describeLink,
  type FlowResult,
  finishFlow,
  openLink,
} from '../../services/connect.ts';
import type { AppContext } from '../../services/context.ts';
import { FlowError, PROVIDER_NAMES } from '../../services/flow-error.ts';
import { sessionUser, signedInUser } from '../browser-user.ts';
import { oauthCookies } from '../oauth-browser.ts';
import { type PageLink, resultPage } from '../pages.ts';

const FORM_LIMIT = 4096;

export const oauthRoutes: FastifyPluginAsync<{ context: AppContext; webApp?: boolean }> = async (
  app,
  { context, webApp = false },
) => {
  const cookies = oauthCookies(context.publicUrl.startsWith('https:'));
  /** Where a flow's last page leads back to, when this process serves the web app. */
  const back = (to: 'integration' | 'settings'): PageLink | undefined =>
    webApp
      ? to === 'integration'
        ? { href: PAGES.integration, label: 'Back to My integration in talentsync' }
        : { href: PAGES.settings, label: 'Back to Settings in talentsync' }
      : undefined;
  // Form bodies are parsed only in this plugin's scope: the API takes JSON alone.
  await app.register(formbody, { bodyLimit: FORM_LIMIT });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  });

  const page = (
    reply: FastifyReply,
    status: number,
    title: string,
    lines: string[],
    link = back('integration'),
  ) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(resultPage(title, lines, status < 400, undefined, link));

  /** The sign-in page of a start link, with a fresh form secret. */
  const signInPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    code: string,
    status: number,
    problem?: string,
  ) => {
    const { flow, user, organization } = await describeLink(context, code);
    // Signed in to the web app as the link's own user: the session stands for the token.
    const viewer = await sessionUser(request);
    const signedIn = viewer?.orgId === flow.orgId && viewer.userId === flow.userId;
    const secret = randomBytes(32).toString('base64url');
    const what =
      flow.purpose === 'admin_consent'
        ? `This link grants Microsoft 365 admin consent for talentsync on behalf of ${organization.name}, as ${user.name} (${user.email}).`
        : `This link connects a ${PROVIDER_NAMES[flow.provider]} mailbox to the talentsync account of ${user.name} (${user.email}) in ${organization.name}. Mail that account exchanges with candidates will be synced into talentsync.`;
    cookies.setSignInSecret(reply, secret);
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(
        resultPage(
          status < 400 ? 'Sign in to continue' : 'Sign in again',
          [
            ...(problem ? [problem] : []),
            what,
            ...(signedIn
              ? [`You are signed in to talentsync as ${user.name}.`]
              : [
                  `If you are not ${user.name}, close this page: someone may have sent you this link to read your mail.`,
                  `${user.name}: paste your talentsync access token (tsu_…) to continue.`,
                ]),
          ],
          status < 400,
          {
            action: '/oauth/start',
            hidden: { link: code, form: secret },
            ...(signedIn ? {} : { secret: { name: 'token', label: 'Access token' } }),
            buttons: [{ name: 'continue', value: 'yes', label: 'Continue' }],
          },
        ),
      );
  };

  /** The page for a flow's outcome; only a pending confirmation keeps the browser bound. */
  const finished = (request: FastifyRequest, reply: FastifyReply, result: FlowResult) => {
    if (result.kind === 'confirm_personal') {
      // The question waits as long as the held grant does: the binding starts its ten minutes again.
      const browserKey = cookies.browserKey(request);
      if (browserKey) cookies.bind(reply, browserKey);
      return reply.type('text/html; charset=utf-8').send(
        resultPage(
          'This is a personal mailbox',
          [
            `${result.address} is a personal mailbox, not one of ${result.organization}. Private mail with people who are candidates could be synced into talentsync; a company mailbox is recommended.`,
            `Connect it anyway to the talentsync account of ${result.user.name} (${result.user.email})?`,
          ],
          true,
          {
            action: '/oauth/confirm',
            hidden: {},
            buttons: [
              { name: 'decision', value: 'connect', label: 'Connect anyway' },
              { name: 'decision', value: 'cancel', label: 'Do not connect' },
            ],
          },
        ),
      );
    }
    cookies.unbind(reply);
    if (result.kind === 'admin_consented') {
      return page(
        reply,
        200,
        'Admin consent granted',
        [
          `talentsync may now be used by everyone in your Microsoft 365 organization (tenant ${result.tenantId}).`,
          'Each recruiter still connects their own mailbox.',
        ],
        back('settings'),
      );
    }
    const lines = [
      `${result.address} is ${result.reconnected ? 'connected again; sync resumes where it stopped' : 'connected'} (${PROVIDER_NAMES[result.provider]}).`,
      'Mail you exchange with candidates from now on will appear on their communication history, private to you until you share it.',
    ];
    if (result.warning) lines.push(`Warning: ${result.warning}`);
    lines.push(webApp ? 'Your mailbox’s status is on My integration.' : 'You can close this page.');
    return page(reply, 200, 'Mailbox connected', lines);
  };

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
        return await signInPage(request, reply, request.params.code, 200);
      } catch (error) {
        if (!(error instanceof FlowError)) throw error;
        return page(reply, 400, 'Cannot start connecting', [error.message]);
      }
    },
  );

  app.post<{ Body: { link?: unknown; form?: unknown; token?: unknown } }>(
    '/oauth/start',
    { config: { public: true }, bodyLimit: FORM_LIMIT, schema: { hide: true } },
    async (request, reply) => {
      const link = typeof request.body?.link === 'string' ? request.body.link.slice(0, 100) : '';
      // The token in this form is a credential like a bearer header: guesses count against the address.
      await app.authFailures.refuseIfBlocked(request, reply);
      if (!cookies.signInSecretMatches(request, request.body?.form)) {
        return page(reply, 403, 'Cannot start connecting', [
          'This form did not come from the page talentsync showed in this browser. Open the link you were given again.',
        ]);
      }
      try {
        const { redirectTo, browserKey } = await openLink(
          context,
          link,
          await signedInUser(context.db, request),
        );
        cookies.clearSignInSecret(cookies.bind(reply, browserKey));
        return reply.redirect(redirectTo.href, 303);
      } catch (error) {
        if (!(error instanceof FlowError)) throw error;
        if (error.code === 'sign_in_required' || error.code === 'wrong_user') {
          await app.authFailures.count(request);
          const status = error.code === 'wrong_user' ? 403 : 401;
          const problem = error.code === 'wrong_user' ? error.message : 'That access token was not accepted.';
          return signInPage(request, reply, link, status, problem).catch((again: unknown) => {
            if (!(again instanceof FlowError)) throw again;
            return page(reply, 400, 'Cannot start connecting', [again.message]);
          });
        }
        return page(reply, 400, 'Cannot start connecting', [error.message]);
      }
    },
  );

  app.get('/oauth/callback', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const callbackUrl = new URL(request.url, context.publicUrl);
    try {
      return finished(request, reply, await finishFlow(context, callbackUrl, cookies.browserKey(request)));
    } catch (error) {
      if (!(error instanceof FlowError)) throw error;
      request.log.info({ code: error.code }, 'OAuth flow ended without connecting');
      return page(cookies.unbind(reply), 400, 'Mailbox not connected', [error.message]);
    }
  });

  app.post<{ Body: { decision?: unknown } }>(
    '/oauth/confirm',
    { config: { public: true }, bodyLimit: FORM_LIMIT, schema: { hide: true } },
    async (request, reply) => {
      const connect = request.body?.decision === 'connect';
      try {
        const result = await confirmPersonalMailbox(context, cookies.browserKey(request), connect);
        return finished(request, reply, result);
      } catch (error) {
        if (!(error instanceof FlowError)) throw error;
        request.log.info({ code: error.code }, 'personal mailbox not connected');
        return page(cookies.unbind(reply), 400, 'Mailbox not connected', [error.message]);
      }
    },
  );
};
