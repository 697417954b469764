/**
 * Demo mode only (`npm start`): the web app's sandbox mail panel. The demo's people have mailboxes in the
 * provider sandbox; here a signed-in demo user sees them and makes mail arrive and leave (a candidate
 * writes to a recruiter, the recruiter replies, a message is trashed or deleted), so the demo shows sync
 * live. The API calls the sandbox's control API (docs/sandbox.md) on the browser's behalf: the sandbox is
 * another origin and hands out anything to anyone, so the browser never talks to it, and these calls go
 * through the session's CSRF check like every other state-changing route. Never registered otherwise, so
 * outside the demo these paths answer 404; only the demo organization's users, and only its mailboxes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../../db/database.ts';
import { findOrganizationByRef } from '../../db/organizations.ts';
import { listUsers } from '../../db/users.ts';
import { AppError, notFound } from '../../domain/errors.ts';
import { userOf } from '../auth.ts';
import { GRACE_ADDRESS, REX, THREAD_SUBJECT, withExamples } from '../examples/world.ts';
import { errors } from '../schemas.ts';

const PROVIDERS = ['google', 'microsoft'] as const;
type Provider = (typeof PROVIDERS)[number];

const Address = Type.Object({ name: Type.String(), address: Type.String() });
const SandboxMessage = Type.Object({
  id: Type.String(),
  threadId: Type.String(),
  messageId: Type.String(),
  subject: Type.String(),
  /** Where it is: Gmail's labels or the Outlook folder, in words. */
  place: Type.String(),
  inTrash: Type.Boolean(),
});
const Mailbox = Type.Object({
  provider: Type.Enum([...PROVIDERS]),
  email: Type.String(),
  name: Type.String(),
  messages: Type.Array(SandboxMessage),
});
const MailboxParams = Type.Object({
  provider: Type.Enum([...PROVIDERS]),
  email: Type.String({ maxLength: 320 }),
});
const Text = { subject: Type.String({ maxLength: 200 }), text: Type.String({ maxLength: 10_000 }) };
const Delivered = Type.Object({ id: Type.String(), threadId: Type.String(), messageId: Type.String() });

/** Grace's message in Rex's sandbox Gmail, and his reply (the ids the provider gave them). */
const GRACE_IN_SANDBOX = {
  id: '18e0c1b2a3f4d5e6',
  threadId: '18e0c1b2a3f4d5e6',
  messageId: '<CAF3x9QkE7mPz@mail.gmail.com>',
};
const REX_REPLY_IN_SANDBOX = {
  id: '18e0c7d9e1f20a3b',
  threadId: '18e0c1b2a3f4d5e6',
  messageId: '<d41f.rex@acme.example>',
};
const GRACE_TEXT = 'Hello Rex,\n\nI saw the Staff engineer opening and attach my CV.\n\nBest,\nGrace';

interface ControlMessage {
  id: string;
  threadId: string;
  messageId: string;
  subject: string;
  labelIds?: string[];
  folder?: string;
  wellKnownName?: string | null;
}

export const demoMailRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  /** The demo organization's domain: its users' mailboxes are shown. */
  domain: string;
  /** The sandbox's base URL. */
  sandboxUrl: string;
  /** Who may write in as a candidate. */
  candidates: readonly { name: string; address: string }[];
}> = async (app, { db, domain, sandboxUrl, candidates }) => {
  const control = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandboxUrl}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    if (!response) throw new AppError('unavailable', 'the provider sandbox does not answer');
    const answer = (await response.json().catch(() => ({}))) as T & { error?: string };
    if (response.status === 404) throw notFound('message');
    if (!response.ok)
      throw new AppError('bad_request', `the sandbox refused: ${answer.error ?? response.status}`);
    return answer;
  };

  /** The demo organization's people: only its users may use the panel, and only on their mailboxes. */
  const demoPeople = async (orgId: string) => {
    const [org] = await findOrganizationByRef(db, domain);
    if (!org || org.id !== orgId) throw notFound('demo mailboxes');
    return listUsers(db, org.id, { limit: 20 });
  };
  const mailboxOf = async (orgId: string, provider: Provider, email: string) => {
    const person = (await demoPeople(orgId)).find((user) => user.email === email.toLowerCase());
    if (!person) throw notFound('mailbox');
    return `/${provider}/mailboxes/${encodeURIComponent(person.email)}`;
  };
  const config = { allow: ['user' as const] };
  const tags = ['demo'];

  app.get(
    '/api/demo/mailboxes',
    {
      config,
      schema: {
        tags,
        summary: 'Demo mode: the demo people’s sandbox mailboxes, and the candidates who may write in',
        response: {
          200: withExamples(
            Type.Object({ mailboxes: Type.Array(Mailbox), candidates: Type.Array(Address) }),
            {
              mailboxes: [
                {
                  provider: 'google',
                  email: REX.email,
                  name: REX.name,
                  messages: [
                    { ...GRACE_IN_SANDBOX, subject: THREAD_SUBJECT, place: 'INBOX, UNREAD', inTrash: false },
                    {
                      ...REX_REPLY_IN_SANDBOX,
                      subject: `Re: ${THREAD_SUBJECT}`,
                      place: 'SENT',
                      inTrash: false,
                    },
                  ],
                },
                { provider: 'microsoft', email: REX.email, name: REX.name, messages: [] },
              ],
              candidates: [GRACE_ADDRESS, { name: 'Alan Applicant', address: 'alan@applicant.example' }],
            },
          ),
          ...errors(401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const people = await demoPeople(userOf(request).orgId);
      const mailboxes = [];
      for (const provider of PROVIDERS) {
        for (const person of people) {
          const { messages } = await control<{ messages: ControlMessage[] }>(
            'GET',
            `/${provider}/mailboxes/${encodeURIComponent(person.email)}/messages`,
          ).catch(() => ({ messages: [] as ControlMessage[] }));
          mailboxes.push({
            provider,
            email: person.email,
            name: person.name,
            messages: messages.map((message) => ({
              id: message.id,
              threadId: message.threadId,
              messageId: message.messageId,
              subject: message.subject,
              place: message.folder ?? (message.labelIds ?? []).join(', '),
              inTrash: message.wellKnownName === 'deleteditems' || (message.labelIds ?? []).includes('TRASH'),
            })),
          });
        }
      }
      return { mailboxes, candidates: [...candidates] };
    },
  );

  app.post(
    '/api/demo/mailboxes/:provider/:email/deliver',
    {
      config,
      schema: {
        tags,
        summary: 'Demo mode: a candidate writes to this mailbox (the sandbox delivers it to the inbox)',
        params: MailboxParams,
        body: withExamples(
          Type.Object({ from: Type.String({ maxLength: 320 }), ...Text }, { additionalProperties: false }),
          { from: GRACE_ADDRESS.address, subject: THREAD_SUBJECT, text: GRACE_TEXT },
        ),
        response: { 200: withExamples(Delivered, GRACE_IN_SANDBOX), ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { provider, email } = request.params;
      const base = await mailboxOf(userOf(request).orgId, provider, email);
      const from = candidates.find((candidate) => candidate.address === request.body.from);
      if (!from) throw new AppError('bad_request', 'write as one of the demo candidates');
      return control<{ id: string; threadId: string; messageId: string }>('POST', `${base}/deliver`, {
        from,
        to: [{ address: email.toLowerCase() }],
        subject: request.body.subject,
        text: request.body.text,
      });
    },
  );

  app.post(
    '/api/demo/mailboxes/:provider/:email/send',
    {
      config,
      schema: {
        tags,
        summary: 'Demo mode: this mailbox’s owner sends (a reply when `inReplyTo` names a message of it)',
        params: MailboxParams,
        body: withExamples(
          Type.Object(
            {
              to: Type.String({ maxLength: 320 }),
              inReplyTo: Type.Optional(Type.String({ maxLength: 400 })),
              ...Text,
            },
            { additionalProperties: false },
          ),
          {
            to: GRACE_ADDRESS.address,
            inReplyTo: GRACE_IN_SANDBOX.id,
            subject: `Re: ${THREAD_SUBJECT}`,
            text: 'Thanks Grace, your background fits well. I will write to you on InMail to find a time to talk.',
          },
        ),
        response: { 200: withExamples(Delivered, REX_REPLY_IN_SANDBOX), ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { provider, email } = request.params;
      const base = await mailboxOf(userOf(request).orgId, provider, email);
      const to = candidates.find((candidate) => candidate.address === request.body.to);
      if (!to) throw new AppError('bad_request', 'write to one of the demo candidates');
      return control<{ id: string; threadId: string; messageId: string }>('POST', `${base}/send`, {
        to: [to],
        subject: request.body.subject,
        text: request.body.text,
        ...(request.body.inReplyTo ? { inReplyTo: request.body.inReplyTo } : {}),
      });
    },
  );

  app.post(
    '/api/demo/mailboxes/:provider/:email/messages/:id/:action',
    {
      config,
      schema: {
        tags,
        summary: 'Demo mode: move a message to the trash, restore it, or delete it for good',
        params: Type.Object({
          ...MailboxParams.properties,
          id: Type.String({ maxLength: 400 }),
          action: Type.Enum(['trash', 'restore', 'delete']),
        }),
        response: {
          200: withExamples(Type.Object({ done: Type.Boolean() }), { done: true }),
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const { provider, email, id, action } = request.params;
      const base = await mailboxOf(userOf(request).orgId, provider, email);
      await control('POST', `${base}/messages/${encodeURIComponent(id)}/${action}`, {});
      return { done: true };
    },
  );
};
