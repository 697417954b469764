/** The long-running commands: `start` (API + worker), `api`, `worker`. */
import { loadConfig } from '../config.ts';
import { buildApp } from '../http/app.ts';
import { startWorker } from '../jobs/worker.ts';
import { createLogger } from '../log.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { seedDemo } from './demo.ts';

export interface ServeOptions {
  api: boolean;
  worker: boolean;
  demo?: boolean;
}

export async function serve(options: ServeOptions): Promise<void> {
  const config = loadConfig(process.env, { demo: options.demo ?? false });
  const logger = createLogger(config.logLevel, undefined, {
    pretty: process.stdout.isTTY && !config.production,
  });
  const runtime = await openRuntime(config, logger, { migrate: true });
  stopOnSignals(runtime);
  const { db, pool } = runtime.connection;

  if (options.worker) {
    const runner = await startWorker(pool, logger);
    runtime.onClose(() => runner.stop());
  }
  if (options.api) {
    const app = await buildApp({ db, logger, publicUrl: config.publicUrl });
    runtime.onClose(() => app.close());
    await app.listen({ port: config.port, host: config.host });
  }
  const lines = [`talentsync ${describe(options)} is running.`];
  if (options.api) lines.push(`  API:      ${config.publicUrl}`, `  API docs: ${config.publicUrl}/api/docs`);
  if (options.demo) lines.push(...(await seedDemo(db, config.publicUrl)));
  lines.push('Press Ctrl-C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function describe(options: ServeOptions): string {
  if (options.api && options.worker) return options.demo ? '(demo: API + worker)' : '(API + worker)';
  return options.api ? 'API' : 'worker';
}

/**
 * First SIGINT/SIGTERM: orderly shutdown, then exit. Another one a second later or more: exit at once.
 * (One Ctrl-C under `npm start` arrives twice, from the terminal and forwarded by npm; that is not two.)
 */
function stopOnSignals(runtime: Runtime): void {
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1000) return;
      runtime.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    stoppingSince = Date.now();
    runtime.logger.info({ signal }, 'shutting down');
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
