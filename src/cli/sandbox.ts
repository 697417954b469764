/**
 * `talentsync sandbox`: the provider sandbox alone, for trying clients against it or running it elsewhere.
 * Never in production: it hands out tokens for any account to anyone who asks, and mints signed push
 * tokens; production talks to Google and Microsoft and needs none of it.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePortVariable } from '../config.ts';
import { createLogger } from '../log.ts';
import { startSandbox } from '../sandbox/server.ts';
import { listening, UsageError } from './output.ts';

const MEET_MODES = ['success', 'pending', 'stuck', 'fail'];

export async function sandboxCommand(options: {
  port?: string;
  host: string;
  https?: boolean;
  pushEndpoint?: string;
  pushAuthServiceAccount?: string;
  pushAuthTokenAudience?: string;
  meet?: string;
  strictRefreshTokens?: boolean;
  httpNotificationUrls?: boolean;
}): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    throw new UsageError(
      'the provider sandbox is for development and tests; it does not run with NODE_ENV=production',
    );
  }
  // `--port` wins; without it SANDBOX_PORT, validated like every other variable (a ConfigError, exit 2).
  const port =
    options.port === undefined
      ? parsePortVariable(process.env, 'SANDBOX_PORT', 4010)
      : parsePortVariable({ '--port': options.port }, '--port', 0);
  if (options.meet !== undefined && !MEET_MODES.includes(options.meet)) {
    throw new UsageError(`--meet must be one of ${MEET_MODES.join(', ')}, got "${options.meet}"`);
  }
  if (options.pushEndpoint !== undefined && !URL.canParse(options.pushEndpoint)) {
    throw new UsageError(`--push-endpoint must be a URL, got "${options.pushEndpoint}"`);
  }
  const logger = createLogger(
    process.env.LOG_LEVEL === undefined ? 'info' : (process.env.LOG_LEVEL as 'info'),
  );
  const sandbox = await listening(
    options.port === undefined ? 'SANDBOX_PORT' : '--port',
    port,
    startSandbox({
      port,
      host: options.host,
      logger,
      https: options.https ?? false,
      google: {
        // The push subscription can also be set (and changed) later: PUT /_sandbox/google/push-subscription.
        ...(options.pushEndpoint ? { pushEndpoint: options.pushEndpoint } : {}),
        ...(options.pushAuthServiceAccount ? { pushServiceAccount: options.pushAuthServiceAccount } : {}),
        ...(options.pushAuthTokenAudience ? { pushAudience: options.pushAuthTokenAudience } : {}),
        ...(options.meet && options.meet !== 'success'
          ? { conferenceFault: options.meet as 'pending' | 'stuck' | 'fail' }
          : {}),
      },
      microsoft: {
        // Both also change at run time: POST /_sandbox/microsoft/settings (docs/sandbox.md).
        usedRefreshTokens: options.strictRefreshTokens ? 'refuse' : 'allow',
        allowHttpNotificationUrls: options.httpNotificationUrls ?? false,
      },
      ...(process.env.SANDBOX_PUBLIC_URL ? { publicUrl: process.env.SANDBOX_PUBLIC_URL } : {}),
    }),
  );
  if (sandbox.certificate) {
    const file = path.resolve('.data', 'sandbox-certificate.pem');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, sandbox.certificate);
    process.stdout.write(`HTTPS certificate: ${file} (trust it with NODE_EXTRA_CA_CERTS=${file})\n`);
  }
  process.stdout.write(
    `provider sandbox running at ${sandbox.url}\n` +
      `  Google:    ${sandbox.url}/google  (issuer; Gmail and Calendar root ${sandbox.url}/google/)\n` +
      `  Microsoft: ${sandbox.url}/microsoft/login/{tenant}/v2.0 and ${sandbox.url}/microsoft/graph/v1.0\n` +
      `  control:   ${sandbox.url}/_sandbox\n`,
  );
  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
