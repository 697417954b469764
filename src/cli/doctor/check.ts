/** What one doctor check found: a status, the finding in words, and what to do about it. */
export type Status = 'ok' | 'warning' | 'problem' | 'unchecked';

export interface Check {
  name: string;
  status: Status;
  /** What was found, in words. */
  message: string;
  /** What to do about it, when anything. */
  action?: string;
}

export type Env = Record<string, string | undefined>;

export const ok = (name: string, message: string): Check => ({ name, status: 'ok', message });
export const warning = (name: string, message: string, action: string): Check => ({
  name,
  status: 'warning',
  message,
  action,
});
export const problem = (name: string, message: string, action: string): Check => ({
  name,
  status: 'problem',
  message,
  action,
});
export const unchecked = (name: string, message: string, action: string): Check => ({
  name,
  status: 'unchecked',
  message,
  action,
});

/** Why a connection failed, in words: the socket's or PostgreSQL's code where there is one. */
export function reasonOf(error: unknown): string {
  // fetch wraps the socket's error (`cause`), itself an AggregateError when several addresses were tried.
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
    .cause;
  const code = (error as { code?: string }).code ?? cause?.code ?? cause?.errors?.[0]?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === '28P01') return 'password authentication failed';
  if (code === '3D000') return 'database does not exist';
  return code ?? cause?.message ?? (error as Error).message ?? String(error);
}
