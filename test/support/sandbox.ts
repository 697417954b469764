/** The provider sandbox for one test file, on a free port, closed when the file's tests are done. */

import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/server.ts';
import { onCleanup } from './cleanup.ts';

export async function testSandbox(
  options: SandboxOptions = {},
): Promise<Sandbox & { control: ControlClient }> {
  const sandbox = await startSandbox({ port: 0, ...options });
  onCleanup(() => sandbox.close());
  return { ...sandbox, control: controlClient(sandbox.url) };
}

export interface ControlClient {
  /** Calls the control API; throws with the answer's text on a non-2xx status. */
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  get<T = unknown>(path: string): Promise<T>;
  del<T = unknown>(path: string): Promise<T>;
}

export function controlClient(base: string): ControlClient {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    post: (path, body) => call('POST', path, body ?? {}),
    get: (path) => call('GET', path),
    del: (path) => call('DELETE', path),
  };
}
