/**
 * Control API for mailboxes: deliver mail from outside, send, file spam and drafts, trash, restore, delete,
 * archive and move messages, list them, and expire delta tokens (calendars: control-calendar.ts). Messages are named by their immutable id (the id sync code keeps); a current regular id works
 * too. Every change goes through the mailbox, so it shows up in delta and in change notifications.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MicrosoftContext } from './context.ts';
import { compose, DeliveryError, type DeliveryKind, type MessageBody } from './delivery.ts';
import type { Mailbox, StoredMessage } from './mailbox.ts';

/** Answers a control API error. */
export function controlError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.status(status).send({ error: message });
}

const FOLDER_OF: Record<DeliveryKind, string> = {
  deliver: 'inbox',
  send: 'sentitems',
  spam: 'junkemail',
  draft: 'drafts',
};

/** The most messages one `deliver-many` takes. */
const MANY_LIMIT = 1000;

export function mailControlRoutes(app: FastifyInstance, ctx: MicrosoftContext): void {
  const mailboxOf = (email: string, reply: FastifyReply): Mailbox | undefined => {
    const user = ctx.directory.user(email);
    if (!user) {
      controlError(reply, 404, `no such mailbox: ${email}`);
      return undefined;
    }
    return ctx.mailboxes.of(user);
  };
  const summary = (mailbox: Mailbox, message: StoredMessage) => {
    const folder = mailbox.folders.get(message.folderId);
    return {
      id: message.immutableId,
      regularId: message.regularId,
      threadId: message.conversationId,
      messageId: message.content.messageId,
      subject: message.content.subject,
      folder: folder?.displayName,
      folderId: message.folderId,
      wellKnownName: folder?.wellKnownName ?? null,
    };
  };

  for (const kind of Object.keys(FOLDER_OF) as DeliveryKind[]) {
    app.post<{ Params: { email: string }; Body: MessageBody }>(
      `/mailboxes/:email/${kind}`,
      async (request, reply) => {
        const mailbox = mailboxOf(request.params.email, reply);
        if (!mailbox) return reply;
        try {
          const fields = await compose(mailbox, request.body ?? {}, kind, ctx.core.clock.now(), ctx.ids);
          const message = mailbox.add(fields, mailbox.folder(FOLDER_OF[kind]) ?? mailbox.root);
          return reply.status(201).send(summary(mailbox, message));
        } catch (error) {
          if (error instanceof DeliveryError) return controlError(reply, 400, error.message);
          throw error;
        }
      },
    );
  }

  // Many at once, in order (benchmarks fill a mailbox with tens of thousands); all or nothing is not
  // promised: a bad message answers 400 and those before it stay delivered.
  app.post<{ Params: { email: string }; Body: { messages?: MessageBody[] } }>(
    '/mailboxes/:email/deliver-many',
    async (request, reply) => {
      const mailbox = mailboxOf(request.params.email, reply);
      if (!mailbox) return reply;
      const bodies = request.body?.messages;
      if (!Array.isArray(bodies) || bodies.length === 0 || bodies.length > MANY_LIMIT)
        return controlError(reply, 400, `messages must be a list of 1 to ${MANY_LIMIT} message bodies`);
      const inbox = mailbox.folder(FOLDER_OF.deliver) ?? mailbox.root;
      const messages = [];
      try {
        for (const body of bodies) {
          const fields = await compose(mailbox, body ?? {}, 'deliver', ctx.core.clock.now(), ctx.ids);
          messages.push(summary(mailbox, mailbox.add(fields, inbox)));
        }
      } catch (error) {
        if (error instanceof DeliveryError) return controlError(reply, 400, error.message);
        throw error;
      }
      return reply.status(201).send({ messages });
    },
  );

  app.get<{ Params: { email: string } }>('/mailboxes/:email/body-reads', async (request, reply) => {
    const mailbox = mailboxOf(request.params.email, reply);
    if (!mailbox) return reply;
    return { ids: [...mailbox.bodyReads] };
  });

  app.delete<{ Params: { email: string } }>('/mailboxes/:email/body-reads', async (request, reply) => {
    const mailbox = mailboxOf(request.params.email, reply);
    if (!mailbox) return reply;
    mailbox.bodyReads.clear();
    return { cleared: true };
  });

  app.get<{ Params: { email: string } }>('/mailboxes/:email/messages', async (request, reply) => {
    const mailbox = mailboxOf(request.params.email, reply);
    if (!mailbox) return reply;
    return { messages: [...mailbox.messages()].map((message) => summary(mailbox, message)) };
  });

  app.post<{ Params: { email: string } }>('/mailboxes/:email/expire-cursors', async (request, reply) => {
    const mailbox = mailboxOf(request.params.email, reply);
    if (!mailbox) return reply;
    mailbox.cursorEpoch += 1;
    return { expired: true };
  });

  type Action = (
    mailbox: Mailbox,
    message: StoredMessage,
    body: Record<string, unknown>,
  ) => string | undefined;
  const moveTo =
    (name: string, remember: boolean): Action =>
    (mailbox, message) => {
      const folder = mailbox.folder(name);
      if (!folder) return `no ${name} folder`;
      if (message.folderId === folder.id) return `the message is already in ${folder.displayName}`;
      if (remember) message.restoreFolderId = message.folderId;
      mailbox.move(message, folder);
      return undefined;
    };
  const actions: Record<string, Action> = {
    trash: moveTo('deleteditems', true),
    archive: moveTo('archive', false),
    restore(mailbox, message) {
      const target = message.restoreFolderId ? mailbox.folders.get(message.restoreFolderId) : undefined;
      if (!target) return 'the message is not in Deleted Items or Recoverable Items';
      message.restoreFolderId = undefined;
      mailbox.move(message, target);
      return undefined;
    },
    delete(mailbox, message) {
      mailbox.remove(message);
      return undefined;
    },
    move(mailbox, message, body) {
      if (typeof body.folder !== 'string' || body.folder.trim() === '') return 'folder is required';
      mailbox.move(message, mailbox.ensureFolder(body.folder.trim()));
      return undefined;
    },
  };
  for (const [name, action] of Object.entries(actions)) {
    app.post<{ Params: { email: string; id: string }; Body: Record<string, unknown> }>(
      `/mailboxes/:email/messages/:id/${name}`,
      async (request, reply) => {
        const mailbox = mailboxOf(request.params.email, reply);
        if (!mailbox) return reply;
        const message = mailbox.message(request.params.id);
        if (!message) return controlError(reply, 404, `no such message: ${request.params.id}`);
        const problem = action(mailbox, message, request.body ?? {});
        if (problem) return controlError(reply, name === 'move' ? 400 : 409, problem);
        return name === 'delete' ? { deleted: message.immutableId } : summary(mailbox, message);
      },
    );
  }
}
