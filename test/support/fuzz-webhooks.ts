/**
 * Hostile webhook requests for fuzzing (fast-check): Graph notification batches of authentic, forged and
 * malformed entries, Gmail pushes signed or not, any JSON under any content type. Used by
 * test/http/webhooks-fuzz.test.ts and the chaos run's fuzz (test/chaos/fuzz.chaos.ts).
 */
import fc from 'fast-check';

export const ROUTES = ['/webhooks/microsoft', '/webhooks/microsoft/lifecycle', '/webhooks/google'] as const;
export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/xml',
];

export interface WebhookTargets {
  graph: { subscriptionId: string; clientState: string };
  other: { subscriptionId: string; clientState: string };
  gmail: { box: { recruiter: { email: string } } };
  /** A push token the app accepts. */
  token: string;
}

/** The arbitraries, aimed at these subscriptions and this Gmail mailbox. */
export function webhookArbitraries({ graph, other, gmail, token }: WebhookTargets) {
  const route = fc.constantFrom(...ROUTES);
  const query = fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 64 }).map((value) => `?validationToken=${encodeURIComponent(value)}`),
    fc
      .tuple(fc.string({ maxLength: 16 }), fc.string({ maxLength: 16 }))
      .map(([key, value]) => `?${encodeURIComponent(key)}=${encodeURIComponent(value)}`),
  );
  const authorization = fc.oneof(
    { arbitrary: fc.constant(`Bearer ${token}`), weight: 3 },
    fc.constant(undefined),
    fc.string({ maxLength: 200 }).map((value) => `Bearer ${value}`),
    fc.constant('Basic dXNlcjpwYXNz'),
  );
  const subscription = fc.constantFrom(graph, other);
  const entry = fc.oneof(
    // Authentic, with or without a lifecycle event.
    fc
      .tuple(
        subscription,
        fc.option(fc.constantFrom('missed', 'reauthorizationRequired', 'subscriptionRemoved')),
      )
      .map(([{ subscriptionId, clientState }, lifecycleEvent]) =>
        lifecycleEvent ? { subscriptionId, clientState, lifecycleEvent } : { subscriptionId, clientState },
      ),
    // A known subscription with a forged or missing clientState.
    fc
      .tuple(subscription, fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 2 })))
      .map(([{ subscriptionId }, clientState]) => ({ subscriptionId, clientState })),
    // Anything in the shape of an entry.
    fc.record(
      {
        subscriptionId: fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 2 })),
        clientState: fc.oneof(fc.constantFrom(graph.clientState), fc.string(), fc.jsonValue({ maxDepth: 2 })),
        lifecycleEvent: fc.oneof(fc.constant('unknownFutureValue'), fc.jsonValue({ maxDepth: 1 })),
        changeType: fc.string({ maxLength: 20 }),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const graphBody = fc.record({ value: fc.array(entry, { maxLength: 40 }) });
  const gmailNotification = fc.oneof(
    {
      arbitrary: fc.record({
        emailAddress: fc.constantFrom(gmail.box.recruiter.email, 'nobody@hooks.example'),
        historyId: fc.oneof(fc.bigInt({ min: 0n }), fc.bigInt({ min: 0n }).map(String)),
      }),
      weight: 3,
    },
    fc.record(
      { emailAddress: fc.oneof(fc.emailAddress(), fc.jsonValue()), historyId: fc.jsonValue() },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const gmailBody = fc.oneof(
    gmailNotification.map((data) => ({
      message: { data: Buffer.from(JSON.stringify(data, bigInts) ?? '').toString('base64'), messageId: '1' },
      subscription: 'projects/talentsync-test/subscriptions/gmail-push',
    })),
    fc.record({ message: fc.record({ data: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }) }),
  );
  const jsonBody = fc.oneof(graphBody, gmailBody, fc.jsonValue({ maxDepth: 4 }));
  return {
    route,
    query,
    authorization,
    subscription,
    entry,
    graphBody,
    gmailNotification,
    gmailBody,
    jsonBody,
  };
}

export function bigInts(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value;
}
