/**
 * Throughput of the Google sandbox's `messages.get` (format=metadata and format=raw) over HTTP keep-alive.
 * The sandbox runs on the main thread (one core); a worker thread drives it with several concurrent
 * connections, so client work does not eat into the measured core. Goal: at least 2,000 gets a second.
 *
 *   node bench/sandbox-gmail.ts [--messages 1200] [--connections 8] [--seconds 5]
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

interface Load {
  url: string;
  token: string;
  ids: string[];
  format: string;
  connections: number;
  seconds: number;
}

if (isMainThread) await main();
else await drive(workerData as Load);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '1200' },
      connections: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '5' },
    },
  });
  const { startSandbox } = await import('../src/sandbox/server.ts');
  const sandbox = await startSandbox({ port: 0, google: { quotaUnitsPerMinute: Number.MAX_SAFE_INTEGER } });
  const control = async (path: string, body: unknown) => {
    const response = await fetch(`${sandbox.url}/_sandbox/google${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const email = 'bench@acme.example';
  const redirect = 'http://127.0.0.1:9/cb';
  await control('/clients', { clientId: 'bench', clientSecret: 'secret', redirectUris: [redirect] });
  await control('/users', { email, name: 'Bench User' });
  const count = Number(values.messages);
  const ids: string[] = [];
  const seeded = performance.now();
  for (let i = 0; i < count; i += 1) {
    const message = await control(`/mailboxes/${email}/deliver`, {
      from: { name: `Sender ${i}`, address: `sender${i}@gmail.com` },
      subject: `Application ${i}`,
      text: `Hello, this is message ${i}. `.repeat(20),
      html: `<p>Hello, this is <b>message ${i}</b>.</p>`.repeat(20),
      attachments:
        i % 5 === 0
          ? [
              {
                filename: 'cv.pdf',
                contentType: 'application/pdf',
                contentBase64: randomBytes(20_000).toString('base64'),
              },
            ]
          : [],
    });
    ids.push(message.id);
  }
  const seedMs = performance.now() - seeded;
  const token = await signIn(sandbox.url, email, redirect);
  const connections = Number(values.connections);
  const seconds = Number(values.seconds);
  process.stdout.write(
    `sandbox holds ${count} messages (seeded in ${(seedMs / 1000).toFixed(1)} s); ${connections} keep-alive connections, ${seconds} s per format\n`,
  );
  for (const format of ['metadata', 'raw']) {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { url: sandbox.url, token, ids, format, connections, seconds } satisfies Load,
    });
    const result = await new Promise<{ ok: number; failed: number; ms: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    const rate = (result.ok / result.ms) * 1000;
    process.stdout.write(
      `messages.get format=${format.padEnd(8)} ${rate.toFixed(0).padStart(6)} req/s  (${result.ok} ok, ${result.failed} failed)\n`,
    );
  }
  await sandbox.close();
}

/** Runs the consent flow with fetch, as a browser would; answers an access token with gmail.readonly. */
async function signIn(base: string, email: string, redirect: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: 'bench',
    redirect_uri: redirect,
    response_type: 'code',
    scope: 'https://www.googleapis.com/auth/gmail.readonly',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const page = await (await fetch(`${base}/google/o/oauth2/v2/auth?${query}`)).text();
  const pending = /name="pending" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const consent = await fetch(`${base}/google/o/oauth2/v2/auth/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ pending, email, decision: 'allow' }).toString(),
  });
  const code = new URL(consent.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const response = await fetch(`${base}/google/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
      client_id: 'bench',
      client_secret: 'secret',
    }).toString(),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The load generator (worker thread): `connections` loops of sequential gets until time is up. */
async function drive(load: Load): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const target = new URL(load.url);
  const get = (id: string) =>
    new Promise<number>((resolve, reject) => {
      const call = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: `/gmail/v1/users/me/messages/${id}?format=${load.format}&metadataHeaders=From&metadataHeaders=Subject`,
          headers: { authorization: `Bearer ${load.token}` },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      call.on('error', reject);
      call.end();
    });
  let ok = 0;
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + load.seconds * 1000;
  await Promise.all(
    Array.from({ length: load.connections }, async () => {
      while (performance.now() < deadline) {
        const status = await get(load.ids[next++ % load.ids.length] ?? '');
        if (status === 200) ok += 1;
        else failed += 1;
      }
    }),
  );
  agent.destroy();
  parentPort?.postMessage({ ok, failed, ms: performance.now() - started });
}
