/**
 * The web app's pages, one list for both sides: the router renders them, and the API process answers
 * each with the app's `index.html` (src/http/web-app.ts), so that a reload or a shared link works while
 * every other path keeps its JSON 404.
 */
export const PAGES = {
  home: '/',
  signIn: '/sign-in',
  integration: '/integration',
  threads: '/threads',
  thread: '/threads/:id',
  candidates: '/candidates',
  candidate: '/candidates/:id',
  settings: '/settings',
  myData: '/my-data',
  inbox: '/inbox/:id',
  booking: '/book/:id',
  /** Demo only: the sandbox's mailboxes (the API answers 404 outside the demo). */
  demoMail: '/demo/mail',
  audit: '/audit',
} as const;

/** `/threads/:id` with `{ id }` → `/threads/0f…`. */
export function pathTo(page: keyof typeof PAGES, params: Record<string, string> = {}): string {
  return PAGES[page].replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}
