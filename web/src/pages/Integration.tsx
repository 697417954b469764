/**
 * My integration: the recruiter's mailbox connection (R6–R8, R12) and R19's "why didn't this email sync?".
 * Connecting goes through the provider's consent page and back (the start link's page accepts this session).
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import type { GetConnectionResponse, GetSyncWhyResponse } from '../api/types.ts';
import { Problem, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';

type Connection = NonNullable<GetConnectionResponse['connection']>;

const PROVIDER = { google: 'Google Workspace', microsoft: 'Microsoft 365' } as const;

const STATUS: Record<Connection['status'], string> = {
  connected: 'Connected: mail you exchange with candidates is synced.',
  reauthorization_required:
    'Needs reconnecting: the provider no longer accepts talentsync’s access. Sync is paused.',
  disconnected: 'Disconnected: sync is stopped. Mail synced before stays.',
  deauthorized:
    'Access removed: your organization changed its provider or removed talentsync. Mail synced before stays.',
};

export function IntegrationPage() {
  const loaded = useLoad(() => api('GET /api/connection'), []);
  return (
    <section className="narrow">
      <h1>My integration</h1>
      <Show loaded={loaded} what="your mailbox connection">
        {({ connection }) => <ConnectionCard connection={connection} onChange={loaded.reload} />}
      </Show>
      <WhyNotSynced />
    </section>
  );
}

function ConnectionCard({ connection, onChange }: { connection: Connection | null; onChange: () => void }) {
  const [problem, setProblem] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const connect = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const { url } = await api('POST /api/connection');
      window.location.assign(url);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };
  const disconnect = async () => {
    setBusy(true);
    try {
      await api('DELETE /api/connection');
      setConfirming(false);
      onChange();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const live = connection?.status === 'connected';
  return (
    <div className="card">
      {problem && <Problem message={problem} />}
      {connection ? (
        <dl className="facts">
          <dt>Mailbox</dt>
          <dd>
            {connection.address} ({PROVIDER[connection.provider]})
          </dd>
          <dt>Status</dt>
          <dd data-status={connection.status}>{STATUS[connection.status]}</dd>
          <dt>Last sync</dt>
          <dd>
            {connection.sync.lastSyncAt ? <When at={connection.sync.lastSyncAt} /> : 'Not yet'} ·{' '}
            {connection.sync.messagesSynced} messages synced
          </dd>
          <dt>Last problem</dt>
          <dd>
            {connection.sync.error ?? connection.lastError ?? 'None'}
            {connection.lastErrorAt && (
              <>
                {' '}
                (<When at={connection.lastErrorAt} />)
              </>
            )}
          </dd>
        </dl>
      ) : (
        <p>Your mailbox is not connected yet.</p>
      )}
      {connection?.warning && (
        <p className="warning" role="note">
          Warning: {connection.warning}
        </p>
      )}
      {!live && (
        <>
          <p className="muted">
            Connect your company mailbox. A personal mailbox can be connected too, but then private mail with
            people who are candidates could be synced into talentsync; you will be asked to confirm.
          </p>
          <button type="button" className="primary" disabled={busy} onClick={() => void connect()}>
            {connection ? 'Reconnect my mailbox' : 'Connect my mailbox'}
          </button>
        </>
      )}
      {live &&
        (confirming ? (
          <div className="confirm">
            <p>
              Disconnect {connection.address}? Sync stops and talentsync’s access is revoked; mail synced so
              far stays.
            </p>
            <button type="button" className="danger" disabled={busy} onClick={() => void disconnect()}>
              Yes, disconnect
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it connected
            </button>
          </div>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Disconnect…
          </button>
        ))}
    </div>
  );
}

function WhyNotSynced() {
  const [messageId, setMessageId] = useState('');
  const [answer, setAnswer] = useState<GetSyncWhyResponse>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const ask = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setAnswer(undefined);
    try {
      setAnswer(await api('GET /api/sync/why', { query: { messageId: messageId.trim() } }));
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="why" className="card">
      <h2 id="why">Why didn’t this email sync?</h2>
      <form onSubmit={(event) => void ask(event)}>
        <label htmlFor="message-id">Message-ID of the email</label>
        <p className="muted" id="message-id-help">
          Your mail program shows it in the message’s headers (“Show original”), like
          &lt;abc123@mail.example&gt;.
        </p>
        <input
          id="message-id"
          aria-describedby="message-id-help"
          value={messageId}
          onChange={(event) => setMessageId(event.target.value)}
          required
          maxLength={1000}
        />
        <button type="submit" disabled={busy || messageId.trim() === ''}>
          Look it up
        </button>
      </form>
      <div aria-live="polite">
        {busy && <p role="status">Looking it up…</p>}
        {problem && <Problem message={problem} />}
        {answer && (
          <p className={`answer ${answer.status}`}>
            <strong>
              {answer.status === 'synced'
                ? 'Synced.'
                : answer.status === 'skipped'
                  ? 'Not synced.'
                  : 'Not found.'}
            </strong>{' '}
            {answer.explanation}
          </p>
        )}
      </div>
    </section>
  );
}
