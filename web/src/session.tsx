/**
 * Who is signed in: the session (its CSRF token, which every state-changing call sends back) and the
 * caller as `GET /api/me` describes them. Nobody signed in is a state of its own, not an error.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken } from './api/client.ts';
import type { GetMeResponse } from './api/types.ts';

export type Me = GetMeResponse;
export type SignedInUser = Extract<Me, { kind: 'user' }>;

export type SessionState =
  | { state: 'loading' }
  | { state: 'signed-out' }
  | { state: 'error'; message: string }
  | { state: 'signed-in'; me: Me };

interface SessionValue {
  session: SessionState;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ state: 'loading' });
  const refresh = useCallback(async () => {
    try {
      const current = await api('GET /api/session');
      setCsrfToken(current.csrfToken ?? undefined);
      setSession({ state: 'signed-in', me: await api('GET /api/me') });
    } catch (error) {
      setCsrfToken(undefined);
      if (error instanceof ApiError && error.status === 401) setSession({ state: 'signed-out' });
      else setSession({ state: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }, []);
  const signOut = useCallback(async () => {
    await api('DELETE /api/session');
    setCsrfToken(undefined);
    setSession({ state: 'signed-out' });
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <SessionContext.Provider value={{ session, refresh, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in recruiter; pages for users only are rendered only then. */
export function useUser(): SignedInUser {
  const { session } = useSession();
  if (session.state !== 'signed-in' || session.me.kind !== 'user') throw new Error('not signed in as a user');
  return session.me;
}
