/**
 * Coming back to a link after signing in: a booking link opened signed out goes through sign-in (single
 * sign-on lands on `/`, the demo picker too) and then back to the same page. Only the app's own booking
 * pages are remembered, so nothing stored here can send anyone elsewhere.
 */
const KEY = 'talentsync.return-to';
const RETURNABLE = /^\/book\/[0-9a-f-]{36}$/i;

/** Remembers `path` for after sign-in, when it is a page worth coming back to; true when remembered. */
export function rememberReturn(path: string): boolean {
  if (!RETURNABLE.test(path)) return false;
  sessionStorage.setItem(KEY, path);
  return true;
}

/** The remembered page, if any, without forgetting it. */
export function pendingReturn(): string | undefined {
  const path = sessionStorage.getItem(KEY);
  return path && RETURNABLE.test(path) ? path : undefined;
}

/** The remembered page, forgotten as it is taken. */
export function takeReturn(): string | undefined {
  const path = pendingReturn();
  sessionStorage.removeItem(KEY);
  return path;
}
