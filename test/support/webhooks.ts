/**
 * The webhooks under attack: a live product (so the sandbox's Graph can validate our notification URLs)
 * with a Microsoft and a Google mailbox connected, and a second app on the same database whose every
 * statement and pool checkout is counted, with Gmail push verified against keys of our own so tests can
 * sign authentic pushes. The job worker is off: queued jobs stay where tests can look at them.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { connect } from '../../src/db/database.ts';
import type { DB } from '../../src/db/schema.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/log.ts';
import { createProviders } from '../../src/providers/registry.ts';
import { startPush } from '../../src/services/sync.ts';
import { onCleanup } from './cleanup.ts';
import { type LiveTest, liveTest } from './live.ts';
import { connectedMailbox, type Mailbox } from './sync.ts';

/** What a probe app did against the database since the last `reset`. */
export interface DatabaseWork {
  statements: string[];
  checkouts: number;
}

export interface WebhookTest {
  t: LiveTest;
  /** The app whose database work is counted. */
  probe: FastifyInstance;
  work: DatabaseWork;
  reset(): void;
  graph: { box: Mailbox; subscriptionId: string; clientState: string };
  /** A second Graph mailbox, for batches that concern several. */
  other: { box: Mailbox; subscriptionId: string; clientState: string };
  gmail: { box: Mailbox; sign(claims?: JWTPayload): Promise<string>; audience: string };
  /** The pending job with this key: its task and how many times it was replaced (`revision`). */
  job(key: string): Promise<{ task: string; revision: number } | undefined>;
}

const SERVICE_ACCOUNT = 'gmail-push@talentsync-test.iam.gserviceaccount.com';

/** Sets up the product, its mailboxes and the counted probe app (see the file's comment). */
export async function webhookTest(): Promise<WebhookTest> {
  const t = await liveTest({ worker: false });
  const graphMailbox = async (domain: string) => {
    const box = await connectedMailbox(t, 'microsoft', domain);
    await startPush(t.context, box.orgId, box.connectionId);
    const { subscriptions } = await t.sandbox.control.get<{
      subscriptions: { id: string; user: string; clientState: string }[];
    }>('/microsoft/subscriptions');
    const subscription = subscriptions.find((entry) => entry.user === box.recruiter.email);
    if (!subscription) throw new Error(`no Graph subscription for ${box.recruiter.email}`);
    return { box, subscriptionId: subscription.id, clientState: subscription.clientState };
  };
  const graph = await graphMailbox(`hooks-${randomUUID().slice(0, 8)}.example`);
  const other = await graphMailbox(`hooks-${randomUUID().slice(0, 8)}.example`);
  const gmailBox = await connectedMailbox(t, 'google', `hooks-${randomUUID().slice(0, 8)}.example`);

  const keys = await ownKeys();
  const audience = `${t.publicUrl}/webhooks/google`;
  const issuer = `${t.sandbox.url}/google`;
  const google = createProviders({
    publicUrl: t.publicUrl,
    microsoft: undefined,
    google: {
      clientId: 'unused',
      clientSecret: 'unused',
      issuer,
      apiRoot: issuer,
      push: {
        topicName: 'projects/talentsync-test/topics/gmail',
        serviceAccountEmail: SERVICE_ACCOUNT,
        audience,
        issuers: [issuer],
        jwksUrl: keys.jwksUrl,
      },
    },
  }).google;

  const work: DatabaseWork = { statements: [], checkouts: 0 };
  // The app's own pool (its handlers keep a connection the server drops from crashing the process).
  const { pool } = connect(t.database.url, createLogger('silent'), { max: 10 });
  pool.on('acquire', () => {
    work.checkouts += 1;
  });
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      work.statements.push(event.query.sql);
    },
  });
  const probe = await buildApp({
    context: { ...t.context, db, providers: { ...t.context.providers, google } },
  });
  onCleanup(async () => {
    await probe.close();
    await db.destroy();
  });
  await probe.ready();

  return {
    t,
    probe,
    work,
    reset: () => {
      work.statements = [];
      work.checkouts = 0;
    },
    graph,
    other,
    gmail: {
      box: gmailBox,
      audience,
      sign: (claims = {}) =>
        keys.sign({ email: SERVICE_ACCOUNT, email_verified: true, ...claims }, { issuer, audience }),
    },
    job: async (key) => {
      const { rows } = await sql<{ task: string; revision: number }>`
        select task_identifier as task, revision from graphile_worker.jobs where key = ${key}`.execute(
        t.database.db,
      );
      return rows[0];
    },
  };
}

/** A Graph notification body, as JSON text. */
export function graphBody(value: unknown[]): string {
  return JSON.stringify({ value });
}

/** `count` entries naming subscriptions nobody has, about 25 bytes each (39,000 fill a mebibyte). */
export function fillerEntries(count: number): { subscriptionId: string }[] {
  return Array.from({ length: count }, (_, i) => ({ subscriptionId: i.toString(36) }));
}

/** A signing key of our own, served as a JWKS from a local server: the Gmail verifier trusts it. */
async function ownKeys() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'own', alg: 'RS256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`,
    sign: (claims: JWTPayload, { issuer, audience }: { issuer: string; audience: string }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'own' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
  };
}
