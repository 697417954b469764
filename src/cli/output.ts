/** How commands talk to a terminal: results on stdout, progress and problems on stderr. */
import { ConfigError } from '../config.ts';
import { AppError } from '../domain/errors.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Prints an error as one line and picks the exit code: 2 for configuration and usage, 1 otherwise. */
export function reportFailure(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`talentsync: ${message}\n`);
  // A value given on the command line that the product refuses is a usage error like a missing option.
  if (error instanceof ConfigError || error instanceof UsageError) return 2;
  if (error instanceof AppError && error.code === 'validation_failed') return 2;
  if (!(error instanceof AppError) && process.env.LOG_LEVEL === 'debug' && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  return 1;
}

/** A progress line that rewrites itself on a terminal and appears at most once a second elsewhere. */
export function progressLine(): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = Date.now();
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      shown = true;
      process.stderr.write(tty ? `\r${text}\u001b[K` : `${text}\n`);
    },
    done() {
      if (shown && tty) process.stderr.write('\n');
    },
  };
}

/** A port someone else holds is the operator's to change: say which variable picks it (exit code 2). */
export async function listening<T>(variable: string, port: number, started: Promise<T>): Promise<T> {
  try {
    return await started;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ConfigError(
        `port ${port} is already in use: stop what listens there, or set ${variable} to a free port`,
      );
    }
    if (code === 'EACCES') {
      throw new ConfigError(
        `port ${port} needs privileges this process lacks: set ${variable} to a port above 1023`,
      );
    }
    throw error;
  }
}
