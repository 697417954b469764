/**
 * My integration: the recruiter's mailbox connection (R3, R6–R8, R12) and R19's "why didn't this email
 * sync?". Connecting goes through the start link's page (this session stands for the access token), the
 * provider's consent page, and back here from the result page's link.
 */
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { GetConnectionResponse, GetOrganizationResponse } from '../api/types.ts';
import { ProblemText } from '../components/admin/ProblemText.tsx';
import { lastProblem, MAILBOX_PROVIDERS, PROVIDER_NAMES, problemText } from '../components/admin/words.ts';
import { focusOnMount } from '../components/focus.ts';
import { Problem, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';
import { WhyNotSynced } from '../components/WhyNotSynced.tsx';

type Connection = NonNullable<GetConnectionResponse['connection']>;

const STATUS: Record<Connection['status'], string> = {
  connected: 'Connected: mail you exchange with candidates is synced.',
  reauthorization_required:
    'Needs reconnecting: the provider no longer accepts talentsync’s access. Sync is paused; reconnect to resume where it stopped, with nothing lost.',
  disconnected: 'Disconnected: sync is stopped. Mail synced before stays.',
  deauthorized:
    'Needs reconnecting: your organization changed its provider or turned integration off. Mail synced before stays.',
};

export function IntegrationPage() {
  const loaded = useLoad(() => Promise.all([api('GET /api/connection'), api('GET /api/organization')]), []);
  return (
    <section className="narrow">
      <h1>My integration</h1>
      <Show loaded={loaded} what="your mailbox connection">
        {([{ connection }, organization]) => (
          <ConnectionCard connection={connection} organization={organization} onChange={loaded.reload} />
        )}
      </Show>
      <WhyNotSynced />
    </section>
  );
}

function ConnectionCard({
  connection,
  organization,
  onChange,
}: {
  connection: Connection | null;
  organization: GetOrganizationResponse;
  onChange: () => void;
}) {
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
      setProblem(problemText(error));
      setBusy(false);
    }
  };
  const disconnect = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await api('DELETE /api/connection');
      setConfirming(false);
      onChange();
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };
  const live = connection?.status === 'connected';
  const needsReconnect =
    connection?.status === 'reauthorization_required' || connection?.status === 'deauthorized';
  const provider = organization.provider;
  const problemNow = connection ? lastProblem(connection) : undefined;
  return (
    <div className="card">
      {connection ? (
        <dl className="facts">
          <dt>Mailbox</dt>
          <dd>
            {connection.address} ({MAILBOX_PROVIDERS[connection.provider]})
          </dd>
          <dt>Status</dt>
          <dd data-status={connection.status} className={needsReconnect ? 'attention' : undefined}>
            {STATUS[connection.status]}
          </dd>
          <dt>Connected since</dt>
          <dd>
            <When at={connection.authorizedAt} />
          </dd>
          <dt>Last sync</dt>
          <dd>
            {connection.sync.lastSyncAt ? <When at={connection.sync.lastSyncAt} /> : 'Not yet'} ·{' '}
            {connection.sync.messagesSynced} messages synced
            {connection.sync.backoffUntil && (
              <>
                {' '}
                · the provider asked to wait until <When at={connection.sync.backoffUntil} />
              </>
            )}
          </dd>
          <dt>Last problem</dt>
          <dd>
            {problemNow ? <ProblemText problem={problemNow} /> : 'None'}
            {problemNow && connection.lastErrorAt && (
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
      {problem && <Problem message={problem} />}
      {!live &&
        (provider === 'none' ? (
          <p className="warning" role="note">
            Your organization has not chosen a mail provider yet (or turned integration off): an admin must
            choose Google Workspace or Microsoft 365 in Settings before you can connect.
          </p>
        ) : (
          <>
            <p className="muted">
              You will sign in at {PROVIDER_NAMES[provider]} and allow talentsync to read your mail and
              calendar; then you come back here. Connect your company mailbox: a personal one (gmail.com,
              outlook.com …) can be connected too, but then private mail with people who are candidates could
              be synced into talentsync, and you will be asked to confirm (R8).
            </p>
            <button type="button" className="primary" disabled={busy} onClick={() => void connect()}>
              {connection ? 'Reconnect my mailbox' : 'Connect my mailbox'}
            </button>
          </>
        ))}
      {live &&
        (confirming ? (
          <div
            className="confirm"
            role="alertdialog"
            aria-labelledby="confirm-disconnect"
            tabIndex={-1}
            ref={focusOnMount}
          >
            <p id="confirm-disconnect">
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
