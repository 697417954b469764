/**
 * An email thread opened in place on the candidate page: who took part and when, then its messages as
 * the Thread page shows them (`Messages`). A `metadata` thread shows only what the API gives: who took
 * part, when, how many messages.
 */
import { api } from '../../api/client.ts';
import { Messages, nameOf } from '../Messages.tsx';
import { Show, When } from '../Status.tsx';
import { useLoad } from '../useLoad.ts';

export function ThreadMessages({ id }: { id: string }) {
  const loaded = useLoad(() => api('GET /api/threads/:id', { params: { id } }), [id]);
  return (
    <Show loaded={loaded} what="the thread">
      {(opened) => (
        <div className="opened">
          <p className="muted">
            Between {opened.thread.participants.map(nameOf).join(', ') || '—'} · from{' '}
            <When at={opened.thread.firstMessageAt} /> to <When at={opened.thread.lastMessageAt} />
          </p>
          <Messages {...opened} />
        </div>
      )}
    </Show>
  );
}
