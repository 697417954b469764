/** The process logger. Secrets are redacted by path so that no token can reach a log line. */
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

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
