/** Routes Graphile Worker's log lines into our pino logger (its migrations in `db/migrate.ts` log too, hence here). */
import { Logger as WorkerLogger } from 'graphile-worker';
import type { Logger } from '../log.ts';

/**
 * Graphile Worker reports every completed job at `info`; with a job a minute per cron item and one per
 * sync, that drowns everything else, so its `info` becomes our `debug`. Warnings and errors stay.
 */
const LEVELS = { error: 'error', warning: 'warn', info: 'debug', debug: 'trace' } as const;

export function workerLogger(logger: Logger): WorkerLogger {
  const child = logger.child({ component: 'worker' });
  return new WorkerLogger(() => (level, message, meta) => {
    child[LEVELS[level]](meta ?? {}, message);
  });
}
