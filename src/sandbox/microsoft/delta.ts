/**
 * `GET /me/mailFolders/{id}/messages/delta` ("message: delta", "Get incremental changes to messages in a
 * folder"). A round starts without a token and lists the messages in the folder (honouring `$select`,
 * `$filter=receivedDateTime ge|gt <iso>`, `$orderby=receivedDateTime desc`, `$top` and the `changeType`
 * query option), page by page through `@odata.nextLink` (`$skiptoken`), and ends with an
 * `@odata.deltaLink` (`$deltatoken`). The next round reports what changed in the folder since: current
 * messages as full entries, and messages that left the folder — moved or deleted alike — as
 * `{"id", "@removed": {"reason": "deleted"}}` under the id the caller knew. Tokens are opaque, carry the
 * query, and answer 410 SyncStateNotFound (with a `Location` to restart from) once expired (after the configured lifetime, or after the
 * control API's expire-cursors) or when they are not tokens at all. Page size: `Prefer:
 * odata.maxpagesize=N`, else `$top`, else 10.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { expandedProperties } from './attachments.ts';
import { graphBase, type MicrosoftContext } from './context.ts';
import type { GraphRequest, GraphRoute } from './graph.ts';
import { GraphFailure, ok } from './graph-http.ts';
import type { LogEntry, MailFolder, StoredMessage } from './mailbox.ts';
import { messageJson, parseSelect, revealsContent } from './message-json.ts';
import { bodyType, findFolder, preferenceApplied, wantsImmutableIds } from './messages.ts';
import { REQUIRES } from './scopes.ts';

const DEFAULT_PAGE = 10;

interface DeltaState {
  mailbox: string;
  folder: string;
  epoch: number;
  issuedAt: number;
  select: string[] | undefined;
  /** The `$expand` of the round's first request (Graph keeps it in the links it hands out). */
  expand: string | null;
  /** Lower bound on receivedDateTime, and whether it is strict (`gt`). */
  since: number | undefined;
  strict: boolean;
  descending: boolean;
  top: number | undefined;
  changeType: 'created' | 'updated' | 'deleted' | undefined;
  /** `initial`: list the folder as of `to`; `changes`: report log entries in (`from`, `to`]. */
  phase: 'initial' | 'changes';
  from: number;
  to: number;
  /** Changes phase: how many of the round's changed ids were sent (the log they come from only grows). */
  offset: number;
  /**
   * Initial phase: the sort key of the last message sent; the next page starts after it. A position, not
   * a count: a message that leaves the folder mid-round must not shift the rest by one and skip a message
   * (its leaving is a change the next round reports).
   */
  after?: Position;
}

/** Where a message sorts in an initial round. */
type Position = Pick<StoredMessage, 'receivedAt' | 'enteredAt'>;

export function deltaRoutes(ctx: MicrosoftContext): GraphRoute[] {
  const key = randomBytes(32);
  const sign = (payload: string) =>
    createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);
  const encode = (state: DeltaState) => {
    const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${payload}.${sign(payload)}`;
  };
  const decode = (token: string): DeltaState | undefined => {
    const [payload, mac] = token.split('.');
    if (!payload || !mac || mac.length !== 22) return undefined;
    if (!timingSafeEqual(Buffer.from(mac), Buffer.from(sign(payload)))) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DeltaState;
    } catch {
      return undefined;
    }
  };

  // "Synchronization reset" (delta query overview): the 410 carries a `Location` to start over from, a
  // fresh round with the query of the one that was lost (when the token still tells it).
  const restartUrl = (folder: MailFolder, state: DeltaState | undefined) => {
    const query = new URLSearchParams();
    if (state?.select) query.set('$select', state.select.join(','));
    if (state?.expand) query.set('$expand', state.expand);
    if (state?.since !== undefined)
      query.set(
        '$filter',
        `receivedDateTime ${state.strict ? 'gt' : 'ge'} ${new Date(state.since).toISOString()}`,
      );
    if (state?.descending) query.set('$orderby', 'receivedDateTime desc');
    if (state?.top !== undefined) query.set('$top', String(state.top));
    if (state?.changeType) query.set('changeType', state.changeType);
    const search = query.toString();
    return `${graphBase(ctx)}/v1.0/me/mailFolders('${folder.id}')/messages/delta${search ? `?${search}` : ''}`;
  };

  const gone = (request: GraphRequest, folder: MailFolder, state: DeltaState | undefined) =>
    new GraphFailure(
      410,
      'SyncStateNotFound',
      `The sync state generation is not found; generation=${request.mailbox.cursorEpoch};[highest=${request.mailbox.seq}].`,
      { location: restartUrl(folder, state?.folder === folder.id ? state : undefined) },
    );

  const fresh = (request: GraphRequest, folder: MailFolder): DeltaState => {
    const { query } = request.call;
    const filter = query.get('$filter');
    let since: number | undefined;
    let strict = false;
    if (filter) {
      const match = /^\s*receivedDateTime\s+(ge|gt)\s+'?([0-9T:.+-]+Z?)'?\s*$/i.exec(filter);
      const when = match?.[2] ? Date.parse(match[2]) : Number.NaN;
      if (!match || Number.isNaN(when)) {
        throw new GraphFailure(
          400,
          'ErrorInvalidUrlQueryFilter',
          'The query filter contains one or more invalid nodes.',
        );
      }
      since = when;
      strict = match[1]?.toLowerCase() === 'gt';
    }
    const orderBy = query.get('$orderby');
    if (orderBy && !/^\s*receivedDateTime\s+desc\s*$/i.test(orderBy)) {
      throw new GraphFailure(
        400,
        'BadRequest',
        'The only $orderby delta supports for messages is receivedDateTime desc.',
      );
    }
    const top = query.get('$top');
    const changeType = query.get('changeType') ?? undefined;
    if (changeType !== undefined && !['created', 'updated', 'deleted'].includes(changeType)) {
      throw new GraphFailure(400, 'BadRequest', `Invalid changeType '${changeType}'.`);
    }
    return {
      mailbox: request.user.email,
      folder: folder.id,
      epoch: request.mailbox.cursorEpoch,
      issuedAt: request.now,
      select: parseSelect(query.get('$select')),
      expand: query.get('$expand'),
      since,
      strict,
      descending: Boolean(orderBy),
      top: top === null ? undefined : Math.max(1, Number.parseInt(top, 10) || DEFAULT_PAGE),
      changeType: changeType as DeltaState['changeType'],
      phase: 'initial',
      from: 0,
      to: request.mailbox.seq,
      offset: 0,
    };
  };

  const matches = (state: DeltaState, message: StoredMessage) =>
    state.since === undefined ||
    (state.strict ? message.receivedAt > state.since : message.receivedAt >= state.since);

  /** Changed ids in (from, to], each once, in order of their last change. */
  const changes = (folder: MailFolder, state: DeltaState, immutable: boolean) => {
    const log = folder.log;
    let low = 0;
    let high = log.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((log[mid] as LogEntry).seq <= state.from) low = mid + 1;
      else high = mid;
    }
    const latest = new Map<string, { message: StoredMessage; created: boolean }>();
    for (let i = low; i < log.length; i += 1) {
      const entry = log[i] as LogEntry;
      if (entry.seq > state.to) break;
      const id = immutable ? entry.message.immutableId : entry.regularId;
      const created = (latest.get(id)?.created ?? false) || entry.kind === 'created';
      latest.delete(id);
      latest.set(id, { message: entry.message, created });
    }
    return [...latest.entries()];
  };

  const handle = (request: GraphRequest) => {
    const folder = findFolder(request.mailbox, request.params.folder ?? '');
    const { query } = request.call;
    const token =
      query.get('$deltatoken') ??
      query.get('$deltaToken') ??
      query.get('$skiptoken') ??
      query.get('$skipToken');
    let state: DeltaState;
    if (token === null) state = fresh(request, folder);
    else {
      const decoded = decode(token);
      if (
        !decoded ||
        decoded.mailbox !== request.user.email ||
        decoded.folder !== folder.id ||
        decoded.epoch !== request.mailbox.cursorEpoch ||
        request.now - decoded.issuedAt > ctx.settings.deltaTokenLifetimeMs
      ) {
        throw gone(request, folder, decoded?.mailbox === request.user.email ? decoded : undefined);
      }
      state = decoded;
      // A delta token starts a new round: changes from where the last one ended up to now.
      if (query.has('$deltatoken') || query.has('$deltaToken')) {
        state = {
          ...state,
          phase: 'changes',
          from: state.to,
          to: request.mailbox.seq,
          offset: 0,
          issuedAt: request.now,
        };
      }
    }
    const preferred = Number(request.prefer.get('odata.maxpagesize'));
    const size = Number.isInteger(preferred) && preferred > 0 ? preferred : (state.top ?? DEFAULT_PAGE);
    const immutable = wantsImmutableIds(request);
    const json = (message: StoredMessage) => {
      if (revealsContent(state.select)) request.mailbox.bodyReads.add(message.immutableId);
      return jsonOf(message);
    };
    const jsonOf = (message: StoredMessage) => ({
      '@odata.type': '#microsoft.graph.message',
      ...messageJson(message, { immutableIds: immutable, bodyType: bodyType(request), select: state.select }),
      ...expandedProperties(message, state.expand),
    });
    const value: Record<string, unknown>[] = [];
    let done: boolean;
    if (state.phase === 'initial') {
      const { after } = state;
      // The round's order; the next page is what sorts after the last message sent.
      const order = (a: Position, b: Position) =>
        state.descending
          ? b.receivedAt - a.receivedAt || b.enteredAt - a.enteredAt
          : a.enteredAt - b.enteredAt;
      const rest = [...folder.messages]
        .filter(
          (message) =>
            message.enteredAt <= state.to &&
            matches(state, message) &&
            (after === undefined || order(message, after) > 0),
        )
        .sort(order);
      const page = rest.slice(0, size);
      for (const message of page) value.push(json(message));
      done = rest.length <= size;
      const last = page.at(-1);
      const { after: _sent, ...round } = state;
      state = done
        ? { ...round, phase: 'changes', offset: 0 }
        : { ...round, after: last && { receivedAt: last.receivedAt, enteredAt: last.enteredAt } };
    } else {
      const changed = changes(folder, state, immutable);
      const page = changed.slice(state.offset, state.offset + size);
      for (const [id, { message, created }] of page) {
        const present =
          message.folderId === folder.id &&
          request.mailbox.message(message.immutableId) === message &&
          (immutable || message.regularId === id);
        const kind = present ? (created ? 'created' : 'updated') : 'deleted';
        if (state.changeType !== undefined && state.changeType !== kind) continue;
        if (!present)
          value.push({ '@odata.type': '#microsoft.graph.message', id, '@removed': { reason: 'deleted' } });
        else if (matches(state, message)) value.push(json(message));
      }
      done = state.offset + size >= changed.length;
      state = { ...state, offset: done ? 0 : state.offset + page.length };
    }
    const link = `${graphBase(ctx)}/v1.0/me/mailfolders('${folder.id}')/messages/delta?${done ? '$deltatoken' : '$skiptoken'}=${encode({ ...state, issuedAt: request.now })}`;
    const extra = request.prefer.has('odata.maxpagesize') ? [`odata.maxpagesize=${size}`] : [];
    return ok(
      {
        '@odata.context': `${graphBase(ctx)}/v1.0/$metadata#Collection(message)`,
        [done ? '@odata.deltaLink' : '@odata.nextLink']: link,
        value,
      },
      200,
      preferenceApplied(request, extra),
    );
  };

  return [
    {
      method: 'GET',
      path: 'me/mailFolders/{folder}/messages/delta',
      op: 'graph.messages.delta',
      scopes: REQUIRES.readFolders,
      handle,
    },
  ];
}
