/** The API on a fresh database, plus helpers to make the people a test needs, all through real code. */

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { DEMO_CANDIDATES, DEMO_DOMAIN, DEMO_MEMBER_SIGN_INS } from '../../src/cli/demo.ts';
import { WEB_DIST } from '../../src/cli/web-build.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { findOrganization } from '../../src/db/organizations.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { createAccessToken, createOrganization, createUser } from '../../src/services/accounts.ts';
import { type AppContext, createContext } from '../../src/services/context.ts';
import { upsertMember } from '../../src/services/directory.ts';
import { onCleanup } from './cleanup.ts';
import { type TestDatabase, testDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  context: AppContext;
  database: TestDatabase;
  /** Calls the API as the holder of `token` (or anonymously). */
  call(
    token: string | undefined,
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  organization(domain?: string): Promise<{ orgId: string; admin: Person; recruiter: Person }>;
  user(orgId: string, role?: 'admin' | 'member'): Promise<Person>;
  member(input?: {
    emails?: string[];
    discoverability?: 'anyone' | 'connections' | 'nobody';
  }): Promise<{ id: string; token: string; emails: string[] }>;
  operator(): Promise<string>;
}

/** The bearer token test apps serve `/metrics` to. */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

/** The token vault key of test apps; a worker process that opens their tokens needs the same one. */
export const TEST_KEY = `test:${Buffer.alloc(32, 1).toString('base64')}`;

function testDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'talentsync-test-data-'));
}

export interface Person {
  id: string;
  email: string;
  token: string;
}

export async function testApp(
  options: {
    logger?: Logger;
    config?: Partial<Config>;
    web?: boolean;
    demo?: boolean;
    /** With `demo`: the sandbox the demo mail panel relays to. */
    demoSandboxUrl?: string;
  } = {},
): Promise<TestApp> {
  const database = await testDatabase();
  const { db } = database;
  const config: Config = {
    ...loadConfig({ DATA_DIR: testDataDir(), TOKEN_ENCRYPTION_KEY: TEST_KEY }),
    publicUrl: 'http://talentsync.test',
    ...options.config,
  };
  const context = createContext(config, db, options.logger ?? createLogger('silent'));
  onCleanup(() => context.reader.close());
  const app = await buildApp({
    context,
    metricsToken: config.metricsToken ?? TEST_METRICS_TOKEN,
    rateLimits: config.rateLimits,
    trustProxy: config.trustProxy,
    // The web app is built once by the global setup; only the tests that need it serve it.
    webDist: options.web ? WEB_DIST : undefined,
    sso: config.sso,
    sessionLifetimes: config.sessions,
    demo: options.demo
      ? {
          domain: DEMO_DOMAIN,
          members: DEMO_MEMBER_SIGN_INS,
          ...(options.demoSandboxUrl
            ? { sandboxUrl: options.demoSandboxUrl, candidates: DEMO_CANDIDATES }
            : {}),
        }
      : undefined,
    listenPool: database.pool,
  });
  onCleanup(() => app.close());
  const unique = () => randomBytes(4).toString('hex');

  const user = async (orgId: string, role: 'admin' | 'member' = 'member'): Promise<Person> => {
    const org = await findOrganization(db, orgId);
    const email = `${role}-${unique()}@${org?.primaryDomain}`;
    const created = await createUser(db, orgId, { email, name: `Test ${role}`, role });
    return { id: created.user.id, email, token: created.token };
  };

  return {
    app,
    context,
    database,
    call: (token, method, url, body) =>
      app.inject({
        method,
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      }),
    organization: async (domain = `org-${unique()}.example`) => {
      const org = await createOrganization(db, { name: `Org ${domain}`, primaryDomain: domain });
      return { orgId: org.id, admin: await user(org.id, 'admin'), recruiter: await user(org.id, 'member') };
    },
    user,
    member: async (input = {}) => {
      const emails = input.emails ?? [`candidate-${unique()}@mail.example`];
      const { member } = await upsertMember(db, {
        name: 'Test Candidate',
        emails,
        discoverability: input.discoverability ?? 'anyone',
      });
      const token = await createAccessToken(db, { kind: 'member', memberId: member.id }, 'test');
      return { id: member.id, token, emails };
    },
    operator: () => createAccessToken(db, { kind: 'operator' }, 'test'),
  };
}
