/** Routes Graphile Worker's log lines into our pino logger. */
import { Logger as WorkerLogger } from 'graphile-worker';
import type { Logger } from '../log.ts';

export function workerLogger(logger: Logger): WorkerLogger {
  const child = logger.child({ component: 'worker' });
  return new WorkerLogger(() => (level, message, meta) => {
    const pinoLevel = level === 'warning' ? 'warn' : level;
    child[pinoLevel](meta ?? {}, message);
  });
}
