/** The process logger. Secrets are redacted by path so that no token can reach a log line. */
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { LogLevel } from './config.ts';

export type Logger = pino.Logger;

/** Paths whose values never appear in logs, wherever they occur in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.code_verifier',
  '*.token',
  '*.password',
  '*.secret',
];

/**
 * A logger writing JSON lines to `destination` (stdout by default). With `pretty`, and when pino-pretty
 * is installed (a development dependency), lines are made readable for a person at a terminal instead.
 */
export function createLogger(
  level: LogLevel,
  destination?: pino.DestinationStream,
  options: { pretty?: boolean } = {},
): Logger {
  const settings = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: errorForLog },
  };
  if (options.pretty && !destination && prettyAvailable()) {
    const transport = pino.transport({
      target: 'pino-pretty',
      options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
    });
    return pino(settings, transport);
  }
  return pino(settings, destination);
}

/**
 * Errors as pino logs them, less the fields where PostgreSQL quotes row values (`detail`: "Key
 * (normalized)=(ann@example.com) already exists"; `where`; `parameters`): logs name ids, not addresses.
 */
function errorForLog(error: Error): Record<string, unknown> {
  const { detail: _detail, where: _where, parameters: _parameters, ...kept } = pino.stdSerializers.err(error);
  return kept;
}

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
