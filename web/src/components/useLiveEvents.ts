/**
 * Live updates: opens the API's event stream (`GET /api/events`, the session cookie) and calls `onEvent`
 * for each event, which only says *that* something the viewer may see changed; the page refetches through
 * its usual route. `EventSource` reconnects by itself after a dropped stream; when the server refuses one
 * (signed out, too many tabs) it stops, so this opens a new one after a growing pause.
 */
import { useEffect, useRef, useState } from 'react';

export type LiveEvent = { type: 'threads' } | { type: 'history'; memberId: string };

/** `live` while the stream is open; `connecting` before and between streams. */
export type LiveState = 'connecting' | 'live';

export function useLiveEvents(onEvent: (event: LiveEvent) => void): LiveState {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let pause = 2000;
    let stopped = false;
    const open = () => {
      source = new EventSource('/api/events');
      source.onopen = () => {
        pause = 2000;
        setState('live');
      };
      source.onmessage = (message: MessageEvent<string>) => {
        try {
          handler.current(JSON.parse(message.data) as LiveEvent);
        } catch {
          // not an event of ours: ignored
        }
      };
      source.onerror = () => {
        setState('connecting');
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        retry = setTimeout(open, pause);
        pause = Math.min(pause * 2, 60_000);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, []);
  return state;
}
