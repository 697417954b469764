/**
 * Graph mail operations: `/me`, mail folders, and single messages (get, `$value`, move, delete), per the
 * Graph v1.0 reference pages of the same names. Responses carry the ids the caller asked for
 * (`Prefer: IdType="ImmutableId"` or regular) and confirm applied preferences in `Preference-Applied`.
 * DELETE is Exchange's soft delete: the message leaves the folder tree into Recoverable Items (well-known
 * name `recoverableitemsdeletions`, see "Delete message"), where it can still be read by id (immutable, or
 * its new regular id); only `permanentDelete` or the control API's delete purge it.
 */
import { attachmentsJson, expandedProperties } from './attachments.ts';
import { graphBase, type MicrosoftContext } from './context.ts';
import type { GraphRequest, GraphRoute } from './graph.ts';
import { GraphFailure, itemNotFound, ok } from './graph-http.ts';
import { isWellFormedItemId } from './ids.ts';
import type { Mailbox, MailFolder, StoredMessage } from './mailbox.ts';
import { type BodyType, messageJson, parseSelect, revealsContent } from './message-json.ts';
import { listMessages } from './message-list.ts';
import { REQUIRES } from './scopes.ts';

const DEFAULT_FOLDER_PAGE = 10;

/** Whether the caller asked for immutable ids. */
export function wantsImmutableIds(request: GraphRequest): boolean {
  return request.prefer.get('idtype')?.toLowerCase() === 'immutableid';
}

/** `Preference-Applied` for the id type and body type preferences that were honoured. */
export function preferenceApplied(request: GraphRequest, extra: string[] = []): Record<string, string> {
  const applied = [...extra];
  if (wantsImmutableIds(request)) applied.unshift('IdType="ImmutableId"');
  const body = request.prefer.get('outlook.body-content-type')?.toLowerCase();
  if (body === 'text' || body === 'html') applied.push(`outlook.body-content-type="${body}"`);
  return applied.length > 0 ? { 'preference-applied': applied.join(', ') } : {};
}

export function bodyType(request: GraphRequest): BodyType {
  return request.prefer.get('outlook.body-content-type')?.toLowerCase() === 'text' ? 'text' : 'html';
}

export function findFolder(mailbox: Mailbox, idOrName: string): MailFolder {
  const folder = mailbox.folder(idOrName);
  if (folder) return folder;
  if (isWellFormedItemId(idOrName)) throw itemNotFound();
  throw new GraphFailure(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
}

export function findMessage(mailbox: Mailbox, id: string, folderId?: string): StoredMessage {
  if (!isWellFormedItemId(id)) throw new GraphFailure(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
  const message = mailbox.message(id);
  if (!message) throw itemNotFound();
  if (folderId !== undefined && findFolder(mailbox, folderId).id !== message.folderId) throw itemNotFound();
  return message;
}

export function mailRoutes(ctx: MicrosoftContext): GraphRoute[] {
  const v1 = () => `${graphBase(ctx)}/v1.0`;

  const folderJson = (mailbox: Mailbox, folder: MailFolder) => {
    let unread = 0;
    let size = 0;
    for (const message of folder.messages) {
      if (!message.isRead) unread += 1;
      size += message.raw.length;
    }
    return {
      id: folder.id,
      displayName: folder.displayName,
      parentFolderId: folder.parentId ?? null,
      childFolderCount: children(mailbox, folder, true).length,
      unreadItemCount: unread,
      totalItemCount: folder.messages.size,
      sizeInBytes: size,
      isHidden: folder.hidden,
    };
  };

  const children = (mailbox: Mailbox, parent: MailFolder, hidden: boolean) =>
    [...mailbox.folders.values()]
      .filter((folder) => folder.parentId === parent.id && (hidden || !folder.hidden))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));

  const listFolders = (request: GraphRequest, parent: MailFolder, path: string) => {
    const { query } = request.call;
    const hidden = query.get('includeHiddenFolders')?.toLowerCase() === 'true';
    const top = Number(query.get('$top') ?? DEFAULT_FOLDER_PAGE);
    const skip = Number(query.get('$skip') ?? 0);
    if (!Number.isInteger(top) || top < 1 || !Number.isInteger(skip) || skip < 0) {
      throw new GraphFailure(400, 'BadRequest', 'Invalid $top or $skip value.');
    }
    const all = children(request.mailbox, parent, hidden);
    const page = all.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      '@odata.context': `${v1()}/$metadata#users('${request.user.id}')/mailFolders`,
      value: page.map((folder) => folderJson(request.mailbox, folder)),
    };
    if (skip + top < all.length) {
      const next = new URLSearchParams(query);
      next.set('$skip', String(skip + top));
      body['@odata.nextLink'] = `${v1()}/${path}?${next.toString()}`;
    }
    return ok(body);
  };

  const messageEntity = (request: GraphRequest, message: StoredMessage, status = 200) => {
    const select = parseSelect(request.call.query.get('$select'));
    if (revealsContent(select)) request.mailbox.bodyReads.add(message.immutableId);
    const json = messageJson(message, {
      immutableIds: wantsImmutableIds(request),
      bodyType: bodyType(request),
      select,
    });
    const context = `${v1()}/$metadata#users('${request.user.id}')/messages${select ? `(${select.join(',')})` : ''}/$entity`;
    const expanded = expandedProperties(message, request.call.query.get('$expand'));
    return ok({ '@odata.context': context, ...json, ...expanded }, status, {
      etag: `W/"${message.changeKey}"`,
      ...preferenceApplied(request),
    });
  };

  const me = (request: GraphRequest) => {
    const { user } = request;
    const [givenName, ...rest] = user.name.split(' ');
    const entity: Record<string, unknown> = {
      businessPhones: [],
      displayName: user.name,
      givenName: givenName ?? null,
      jobTitle: null,
      mail: user.mail,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: rest.length > 0 ? rest.join(' ') : null,
      userPrincipalName: user.email,
      // `$select` only, as Graph returns it: not among the default properties.
      proxyAddresses: [`SMTP:${user.email}`],
      id: user.id,
    };
    const select = request.call.query.get('$select');
    if (!select) {
      const { proxyAddresses: _, ...defaults } = entity;
      return ok({ '@odata.context': `${v1()}/$metadata#users/$entity`, ...defaults });
    }
    const picked: Record<string, unknown> = {};
    for (const raw of select.split(',')) {
      const name = Object.keys(entity).find((key) => key.toLowerCase() === raw.trim().toLowerCase());
      if (!name) {
        throw new GraphFailure(
          400,
          'Request_BadRequest',
          `Could not find a property named '${raw.trim()}' on type 'microsoft.graph.user'.`,
        );
      }
      picked[name] = entity[name];
    }
    return ok({ '@odata.context': `${v1()}/$metadata#users(${select})/$entity`, ...picked });
  };

  const move = (request: GraphRequest) => {
    const message = findMessage(request.mailbox, request.params.message ?? '', request.params.folder);
    const destinationId = (request.call.body as { destinationId?: unknown } | undefined)?.destinationId;
    if (typeof destinationId !== 'string' || destinationId === '') {
      throw new GraphFailure(400, 'ErrorInvalidRequest', "The 'destinationId' parameter is required.");
    }
    const destination = findFolder(request.mailbox, destinationId);
    request.mailbox.move(message, destination);
    return messageEntity(request, message, 201);
  };

  const softDelete = (request: GraphRequest) => {
    const message = findMessage(request.mailbox, request.params.message ?? '', request.params.folder);
    const deletions = request.mailbox.folder('recoverableitemsdeletions');
    if (!deletions || message.folderId === deletions.id) {
      throw new GraphFailure(403, 'ErrorCannotDeleteObject', 'Object cannot be deleted.');
    }
    message.restoreFolderId = message.folderId;
    request.mailbox.move(message, deletions);
    return { status: 204, headers: {} };
  };

  const mime = (request: GraphRequest) => {
    const message = findMessage(request.mailbox, request.params.message ?? '', request.params.folder);
    request.mailbox.bodyReads.add(message.immutableId);
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: message.raw };
  };

  const attachments = (request: GraphRequest) => {
    const message = findMessage(request.mailbox, request.params.message ?? '', request.params.folder);
    // Attachment names are content: the privacy check counts this listing as a read.
    request.mailbox.bodyReads.add(message.immutableId);
    return ok({
      '@odata.context': `${v1()}/$metadata#users('${request.user.id}')/messages('${message.immutableId}')/attachments`,
      value: attachmentsJson(message, request.call.query.get('$select')),
    });
  };

  const listOptions = (request: GraphRequest) => ({
    v1: v1(),
    immutableIds: wantsImmutableIds(request),
    bodyType: bodyType(request),
  });

  const get = (request: GraphRequest) =>
    messageEntity(request, findMessage(request.mailbox, request.params.message ?? '', request.params.folder));

  const routes: GraphRoute[] = [
    { method: 'GET', path: 'me', op: 'graph.me', scopes: REQUIRES.profile, throttled: false, handle: me },
    {
      method: 'GET',
      path: 'me/mailFolders',
      op: 'graph.mailFolders.list',
      scopes: REQUIRES.readFolders,
      handle: (request) => listFolders(request, request.mailbox.root, 'me/mailFolders'),
    },
    {
      method: 'GET',
      path: 'me/mailFolders/{folder}',
      op: 'graph.mailFolders.get',
      scopes: REQUIRES.readFolders,
      handle: (request) =>
        ok({
          '@odata.context': `${v1()}/$metadata#users('${request.user.id}')/mailFolders/$entity`,
          ...folderJson(request.mailbox, findFolder(request.mailbox, request.params.folder ?? '')),
        }),
    },
    {
      method: 'GET',
      path: 'me/mailFolders/{folder}/childFolders',
      op: 'graph.mailFolders.list',
      scopes: REQUIRES.readFolders,
      handle: (request) => {
        const folder = findFolder(request.mailbox, request.params.folder ?? '');
        return listFolders(request, folder, `me/mailFolders/${folder.id}/childFolders`);
      },
    },
    {
      method: 'GET',
      path: 'me/messages',
      op: 'graph.messages.list',
      scopes: REQUIRES.readMail,
      handle: (request) => listMessages(request, { kind: 'tree' }, listOptions(request)),
    },
    {
      method: 'GET',
      path: 'me/mailFolders/{folder}/messages',
      op: 'graph.messages.list',
      scopes: REQUIRES.readMail,
      handle: (request) =>
        listMessages(
          request,
          { kind: 'folder', folder: findFolder(request.mailbox, request.params.folder ?? '') },
          listOptions(request),
        ),
    },
  ];
  for (const prefix of ['me', 'me/mailFolders/{folder}']) {
    routes.push(
      {
        method: 'GET',
        path: `${prefix}/messages/{message}`,
        op: 'graph.messages.get',
        scopes: REQUIRES.readMail,
        handle: get,
      },
      {
        method: 'GET',
        path: `${prefix}/messages/{message}/$value`,
        op: 'graph.messages.value',
        scopes: REQUIRES.readMail,
        handle: mime,
      },
      {
        method: 'GET',
        path: `${prefix}/messages/{message}/attachments`,
        op: 'graph.attachments.list',
        scopes: REQUIRES.readMail,
        handle: attachments,
      },
      {
        method: 'POST',
        path: `${prefix}/messages/{message}/move`,
        op: 'graph.messages.move',
        scopes: REQUIRES.writeMail,
        handle: move,
      },
      {
        method: 'DELETE',
        path: `${prefix}/messages/{message}`,
        op: 'graph.messages.delete',
        scopes: REQUIRES.writeMail,
        handle: softDelete,
      },
    );
  }
  return routes;
}
