/**
 * The Google part of the control API (`/_sandbox/google/...`, docs/sandbox.md "Per provider"): OAuth
 * clients, users and their grants, mail delivered, sent and moved around, cursor expiry, and a push on
 * demand; calendars in control-calendar.ts, the push subscription in control-push.ts. Answers `{ "error": message }` with 400/404/409 on bad requests.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { calendarControlRoutes } from './control-calendar.ts';
import { pushControlRoutes } from './control-push.ts';
import {
  addMessage,
  deleteMessage,
  expireCursors,
  type Mailbox,
  modifyLabels,
  SYSTEM_LABELS,
  userLabel,
} from './mailbox.ts';
import type { StoredMessage } from './message.ts';
import { publish } from './push.ts';
import { ControlError, composeRaw, type MessageBody, manySchema, messageBodySchema } from './spec.ts';
import { addUser, type GoogleState } from './state.ts';

type EmailParams = { Params: { email: string } };
type MessageParams = { Params: { email: string; id: string } };

const object = (required: string[], properties: Record<string, unknown>) =>
  ({ type: 'object', required, additionalProperties: false, properties }) as const;

/** Registers the Google control routes (prefix `/_sandbox/google`). */
export function controlRoutes(app: FastifyInstance, state: GoogleState): void {
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof ControlError ? error.status : (error.statusCode ?? 500);
    return reply.status(status).send({ error: error.message });
  });

  const mailboxOf = (email: string): Mailbox => {
    const mailbox = state.mailboxes.get(email.toLowerCase());
    if (!mailbox) throw new ControlError(404, `no Google user ${email}`);
    return mailbox;
  };
  const messageOf = (
    request: FastifyRequest<MessageParams>,
  ): { mailbox: Mailbox; message: StoredMessage } => {
    const mailbox = mailboxOf(request.params.email);
    const message = mailbox.messages.get(request.params.id);
    if (!message) throw new ControlError(404, `no message ${request.params.id} in ${mailbox.email}`);
    return { mailbox, message };
  };
  const labelIdOf = (mailbox: Mailbox, name: string): string => {
    if ((SYSTEM_LABELS as readonly string[]).includes(name) || mailbox.labels.has(name)) return name;
    for (const label of mailbox.labels.values()) if (label.name === name) return label.id;
    throw new ControlError(400, `no label ${name} in ${mailbox.email}`);
  };

  app.post<{ Body: { clientId: string; clientSecret: string; redirectUris: string[] } }>(
    '/clients',
    {
      schema: {
        body: object(['clientId', 'clientSecret', 'redirectUris'], {
          clientId: { type: 'string', minLength: 1 },
          clientSecret: { type: 'string', minLength: 1 },
          redirectUris: { type: 'array', items: { type: 'string', format: 'uri' } },
        }),
      },
    },
    async (request, reply) => {
      state.grants.clients.set(request.body.clientId, { ...request.body });
      return reply
        .status(201)
        .send({ clientId: request.body.clientId, redirectUris: request.body.redirectUris });
    },
  );

  app.post<{ Body: { email: string; name?: string } }>(
    '/users',
    {
      schema: {
        body: object(['email'], {
          email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' },
          name: { type: 'string' },
        }),
      },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      if (state.users.has(email)) throw new ControlError(409, `user ${email} exists`);
      const user = addUser(state, email, request.body.name ?? email.split('@')[0] ?? email);
      return reply.status(201).send({ id: user.id, email: user.email, ...(user.hd ? { hd: user.hd } : {}) });
    },
  );

  app.get<EmailParams>('/users/:email', async (request) => {
    const user = state.users.get(request.params.email.toLowerCase());
    if (!user) throw new ControlError(404, `no Google user ${request.params.email}`);
    const grants = state.grants
      .grantsOf(user.email)
      .map((grant) => ({ clientId: grant.clientId, scopes: [...grant.scopes], revoked: grant.revoked }));
    return { ...user, grants };
  });

  app.post<EmailParams>('/users/:email/revoke', async (request) => {
    mailboxOf(request.params.email);
    return { revoked: state.grants.revokeUser(request.params.email.toLowerCase()) };
  });

  const store = (kind: 'deliver' | 'send' | 'spam' | 'draft', labels: string[]) => {
    const one = async (mailbox: Mailbox, body: MessageBody) => {
      const user = state.users.get(mailbox.email);
      const own = kind === 'send' || kind === 'draft';
      const { raw, internalDate } = await composeRaw(body, mailbox, {
        sender: own ? { name: user?.name, address: mailbox.email } : undefined,
        keepBcc: own,
        now: state.core.clock.now(),
      });
      const message = addMessage(mailbox, state.deps, raw, labels, internalDate);
      return { id: message.id, threadId: message.threadId, messageId: message.messageId };
    };
    app.post<EmailParams & { Body: MessageBody }>(
      `/mailboxes/:email/${kind}`,
      { schema: { body: messageBodySchema } },
      async (request, reply) =>
        reply.status(201).send(await one(mailboxOf(request.params.email), request.body)),
    );
    if (kind !== 'deliver') return;
    // Many at once, in order (benchmarks fill a mailbox with tens of thousands).
    app.post<EmailParams & { Body: { messages: MessageBody[] } }>(
      '/mailboxes/:email/deliver-many',
      { schema: { body: object(['messages'], { messages: manySchema }) } },
      async (request, reply) => {
        const mailbox = mailboxOf(request.params.email);
        const messages = [];
        for (const body of request.body.messages) messages.push(await one(mailbox, body));
        return reply.status(201).send({ messages });
      },
    );
  };
  store('deliver', ['UNREAD', 'CATEGORY_PERSONAL', 'INBOX']);
  store('send', ['SENT']);
  store('spam', ['UNREAD', 'SPAM']);
  store('draft', ['DRAFT']);

  const relabel = (
    path: string,
    change: (mailbox: Mailbox, body: Record<string, unknown>) => { add: string[]; remove: string[] },
    schema?: unknown,
  ) =>
    app.post<MessageParams & { Body: Record<string, unknown> }>(
      `/mailboxes/:email/messages/:id/${path}`,
      schema ? { schema: { body: schema } } : {},
      async (request) => {
        const { mailbox, message } = messageOf(request);
        const { add, remove } = change(mailbox, request.body ?? {});
        modifyLabels(mailbox, state.deps, message, add, remove);
        return { id: message.id, labelIds: message.labelIds };
      },
    );
  relabel('trash', () => ({ add: ['TRASH'], remove: [] }));
  relabel('restore', () => ({ add: [], remove: ['TRASH', 'SPAM'] }));
  relabel('archive', () => ({ add: [], remove: ['INBOX'] }));
  relabel(
    'move',
    (mailbox, body) => ({ add: [userLabel(mailbox, String(body.folder)).id], remove: ['INBOX'] }),
    object(['folder'], { folder: { type: 'string', minLength: 1 } }),
  );
  relabel(
    'labels',
    (mailbox, body) => ({
      add: ((body.add as string[] | undefined) ?? []).map((name) => labelIdOf(mailbox, name)),
      remove: ((body.remove as string[] | undefined) ?? []).map((name) => labelIdOf(mailbox, name)),
    }),
    object([], {
      add: { type: 'array', items: { type: 'string' } },
      remove: { type: 'array', items: { type: 'string' } },
    }),
  );

  app.post<MessageParams>('/mailboxes/:email/messages/:id/delete', async (request) => {
    const { mailbox, message } = messageOf(request);
    deleteMessage(mailbox, state.deps, message);
    return { deleted: message.id };
  });

  app.get<EmailParams>('/mailboxes/:email/messages', async (request) => ({
    messages: [...mailboxOf(request.params.email).messages.values()].map((message) => ({
      id: message.id,
      threadId: message.threadId,
      messageId: message.messageId,
      subject: message.subject,
      labelIds: message.labelIds,
      historyId: String(message.historyId),
    })),
  }));

  app.get<EmailParams>('/mailboxes/:email/body-reads', async (request) => ({
    ids: [...mailboxOf(request.params.email).bodyReads],
  }));
  app.delete<EmailParams>('/mailboxes/:email/body-reads', async (request) => {
    mailboxOf(request.params.email).bodyReads.clear();
    return { cleared: true };
  });

  app.post<EmailParams>('/mailboxes/:email/expire-cursors', async (request) => {
    const mailbox = mailboxOf(request.params.email);
    expireCursors(mailbox, state.core.random);
    return { historyId: String(mailbox.historyId) };
  });

  app.post<EmailParams>('/mailboxes/:email/push', async (request) => ({
    pushed: await publish(state, mailboxOf(request.params.email)),
  }));

  calendarControlRoutes(app, state, mailboxOf);
  pushControlRoutes(app, state);
}
