/**
 * Graph subscriptions (`/subscriptions`, "Create subscription", "Update subscription"). Creation checks
 * the body, then validates the notification URL (and the lifecycle URL) the documented way: a POST with
 * `?validationToken=…` and `Content-Type: text/plain; charset=utf-8`, which must be answered within 10
 * seconds by 200, `text/plain`, and the decoded token as the body; otherwise creation fails with 400 and
 * Graph's message. Outlook message subscriptions live at most 10,080 minutes (the subscription resource's
 * lifetime table; configurable). Notification URLs must be https, as Graph demands; the sandbox setting
 * `allowHttpNotificationUrls` (off by default) admits plain `http:` for endpoints that listen locally.
 */
import { graphBase, type MicrosoftContext } from './context.ts';
import type { User } from './directory.ts';
import type { GraphRequest, GraphRoute } from './graph.ts';
import { GraphFailure, ok, pathSegments } from './graph-http.ts';
import { wantsImmutableIds } from './messages.ts';
import { expiryText, type Notifier, type Subscription } from './notifications.ts';
import { allows, REQUIRES } from './scopes.ts';

const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

/** Runs the validation handshake; answers Graph's error message when the endpoint fails it. */
export async function validateEndpoint(
  url: string,
  token: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const target = new URL(url);
  target.searchParams.set('validationToken', token);
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (response.status !== 200) {
      return 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.';
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('text/plain') || text !== token) {
      return 'Subscription validation request failed. Response must exactly match validationToken query parameter.';
    }
    return undefined;
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return 'Subscription validation request timed out.';
    return 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.';
  }
}

export function subscriptionRoutes(ctx: MicrosoftContext, notifier: Notifier): GraphRoute[] {
  const { settings } = ctx;
  const bad = (code: string, message: string) => new GraphFailure(400, code, message);

  const json = (subscription: Subscription) => ({
    id: subscription.id,
    resource: subscription.resource,
    applicationId: subscription.clientId,
    changeType: [...subscription.changeTypes].join(','),
    clientState: subscription.clientState ?? null,
    notificationUrl: subscription.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
    expirationDateTime: expiryText(subscription.expiresAt),
    creatorId: subscription.userId,
    includeResourceData: false,
    latestSupportedTlsVersion: 'v1_2',
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  });
  const entity = (subscription: Subscription, status = 200) =>
    ok(
      { '@odata.context': `${graphBase(ctx)}/v1.0/$metadata#subscriptions/$entity`, ...json(subscription) },
      status,
    );

  const expiry = (value: unknown, now: number) => {
    const when = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(when)) throw bad('InvalidRequest', "Invalid 'expirationDateTime' value.");
    if (when <= now) throw bad('ExtensionError', 'Subscription expiration can only be in the future.');
    if (when > now + settings.maxSubscriptionMinutes * 60_000) {
      throw bad(
        'ExtensionError',
        `Subscription expiration can only be ${settings.maxSubscriptionMinutes} minutes in the future.`,
      );
    }
    return when;
  };

  const url = (value: unknown, name: string) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(String(value));
    } catch {}
    if (parsed?.protocol === 'https:') return String(value);
    if (parsed?.protocol === 'http:') {
      if (settings.allowHttpNotificationUrls) return String(value);
      // Graph's words for it (microsoft-graph-docs-contrib issue 7821).
      const field = name === 'notificationUrl' ? 'NotificationUrl' : 'LifecycleNotificationUrl';
      throw bad('InvalidRequest', `${field} scheme='http' is not supported.`);
    }
    throw bad('InvalidRequest', `Invalid '${name}' value: it must be an absolute https URL.`);
  };

  /** The folder a resource is scoped to (undefined: the whole mailbox), or a 400. */
  const scope = (resource: string, user: User, request: GraphRequest) => {
    let segments = pathSegments(resource);
    if (segments[0]?.toLowerCase() === 'users' && segments.length > 1) {
      if (![user.id, user.oid, user.email].includes((segments[1] ?? '').toLowerCase())) {
        throw new GraphFailure(
          403,
          'ExtensionError',
          'Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]',
        );
      }
      segments = ['me', ...segments.slice(2)];
    }
    const path = segments.map((segment) => segment.toLowerCase());
    if (path.length === 2 && path[0] === 'me' && path[1] === 'messages') return undefined;
    if (path.length === 4 && path[0] === 'me' && path[1] === 'mailfolders' && path[3] === 'messages') {
      const folder = request.mailbox.folder(segments[2] ?? '');
      if (folder) return folder.id;
    }
    throw bad('InvalidRequest', `Resource '${resource}' is not supported for subscriptions.`);
  };

  const owned = (request: GraphRequest) => {
    const subscription = notifier.live(request.params.id ?? '');
    if (
      !subscription ||
      subscription.clientId !== request.token.grant.clientId ||
      subscription.userEmail !== request.user.email
    ) {
      throw new GraphFailure(404, 'ResourceNotFound', 'The object was not found.');
    }
    return subscription;
  };

  const create = async (request: GraphRequest) => {
    const body = (request.call.body ?? {}) as Record<string, unknown>;
    const { user } = request;
    if (typeof body.changeType !== 'string' || body.changeType === '')
      throw bad('InvalidRequest', "'changeType' is required.");
    const changeTypes = new Set(body.changeType.split(',').map((type) => type.trim()));
    for (const type of changeTypes) {
      if (!CHANGE_TYPES.has(type)) throw bad('InvalidRequest', `Invalid 'changeType' attribute: '${type}'.`);
    }
    if (typeof body.resource !== 'string' || body.resource === '')
      throw bad('InvalidRequest', "'resource' is required.");
    const folderId = scope(body.resource, user, request);
    if (!allows(request.token.scopes, REQUIRES.readFolders)) {
      throw new GraphFailure(
        403,
        'ExtensionError',
        'Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]',
      );
    }
    const notificationUrl = url(body.notificationUrl, 'notificationUrl');
    const lifecycleNotificationUrl =
      body.lifecycleNotificationUrl === undefined || body.lifecycleNotificationUrl === null
        ? undefined
        : url(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const expiresAt = expiry(body.expirationDateTime, request.now);
    if (
      body.clientState !== undefined &&
      body.clientState !== null &&
      (typeof body.clientState !== 'string' || body.clientState.length > 128)
    ) {
      throw bad('InvalidRequest', "'clientState' must be a string of at most 128 characters.");
    }
    if (body.includeResourceData === true) {
      throw bad(
        'InvalidRequest',
        'A valid encryptionCertificate must be provided when includeResourceData is true.',
      );
    }
    for (const target of [notificationUrl, lifecycleNotificationUrl]) {
      if (target === undefined) continue;
      const token = `Validation: Testing client application reachability for subscription Request-Id: ${ctx.ids.guid()}`;
      const failure = await validateEndpoint(target, token, settings.validationTimeoutMs);
      if (failure) throw bad('InvalidRequest', failure);
    }
    const subscription: Subscription = {
      id: ctx.ids.guid(),
      resource: body.resource,
      changeTypes,
      notificationUrl,
      lifecycleNotificationUrl,
      clientState: typeof body.clientState === 'string' ? body.clientState : undefined,
      expiresAt,
      clientId: request.token.grant.clientId,
      userEmail: user.email,
      userId: user.id,
      tenantId: user.tenantId,
      folderId,
      immutableIds: wantsImmutableIds(request),
    };
    notifier.subscriptions.set(subscription.id, subscription);
    return entity(subscription, 201);
  };

  const mine = (request: GraphRequest) =>
    [...notifier.subscriptions.keys()]
      .map((id) => notifier.live(id))
      .filter(
        (subscription): subscription is Subscription =>
          subscription !== undefined &&
          subscription.clientId === request.token.grant.clientId &&
          subscription.userEmail === request.user.email,
      );

  return [
    {
      method: 'POST',
      path: 'subscriptions',
      op: 'graph.subscriptions.create',
      scopes: [],
      throttled: false,
      handle: create,
    },
    {
      method: 'GET',
      path: 'subscriptions',
      op: 'graph.subscriptions.get',
      scopes: [],
      throttled: false,
      handle: (request) =>
        ok({
          '@odata.context': `${graphBase(ctx)}/v1.0/$metadata#subscriptions`,
          value: mine(request).map(json),
        }),
    },
    {
      method: 'GET',
      path: 'subscriptions/{id}',
      op: 'graph.subscriptions.get',
      scopes: [],
      throttled: false,
      handle: (request) => entity(owned(request)),
    },
    {
      method: 'PATCH',
      path: 'subscriptions/{id}',
      op: 'graph.subscriptions.update',
      scopes: [],
      throttled: false,
      handle: (request) => {
        const subscription = owned(request);
        subscription.expiresAt = expiry(
          (request.call.body as Record<string, unknown> | undefined)?.expirationDateTime,
          request.now,
        );
        return entity(subscription);
      },
    },
    {
      method: 'POST',
      path: 'subscriptions/{id}/reauthorize',
      op: 'graph.subscriptions.update',
      scopes: [],
      throttled: false,
      handle: (request) => {
        owned(request);
        return { status: 204, headers: {} };
      },
    },
    {
      method: 'DELETE',
      path: 'subscriptions/{id}',
      op: 'graph.subscriptions.delete',
      scopes: [],
      throttled: false,
      handle: (request) => {
        notifier.subscriptions.delete(owned(request).id);
        return { status: 204, headers: {} };
      },
    },
  ];
}
