/**
 * Clean-up for a test file, run in reverse order of registration once its tests are done: what was set up
 * last (a worker using the database) is taken down first (before the database it uses).
 */
import { after } from 'node:test';

const stack: (() => Promise<unknown> | unknown)[] = [];
let registered = false;

export function onCleanup(cleanup: () => Promise<unknown> | unknown): void {
  stack.push(cleanup);
  if (registered) return;
  registered = true;
  after(async () => {
    while (stack.length > 0) await stack.pop()?.();
  });
}
