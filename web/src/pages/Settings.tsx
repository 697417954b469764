/**
 * Admin settings: the organization's provider (R3–R5), with a confirmation that says how many connected
 * users a change un-authorizes, and every user's connection health (no mail content).
 */
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { GetConnectionsResponse, GetOrganizationResponse, PatchOrganizationBody } from '../api/types.ts';
import { Empty, Problem, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';

type Provider = NonNullable<PatchOrganizationBody['provider']>;

const PROVIDERS: Record<Provider, string> = {
  google: 'Google Workspace',
  microsoft: 'Microsoft 365',
  none: 'Do Not Integrate',
};

export function SettingsPage() {
  const organization = useLoad(() => api('GET /api/organization'), []);
  const connections = useLoad(() => api('GET /api/connections', { query: { limit: 200 } }), []);
  return (
    <section>
      <h1>Settings</h1>
      <Show loaded={organization} what="the organization">
        {(org) => (
          <ProviderSetting
            organization={org}
            users={connections.state === 'done' ? connections.data.users : undefined}
            onChange={() => {
              organization.reload();
              connections.reload();
            }}
          />
        )}
      </Show>
      <h2>Users and their mailboxes</h2>
      <Show loaded={connections} what="the users">
        {({ users }) =>
          users.length === 0 ? (
            <Empty>No users yet.</Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Each user’s mailbox connection</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Mailbox</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sync</th>
                  <th scope="col">Last problem</th>
                </tr>
              </thead>
              <tbody>
                {users.map(({ user, connection }) => (
                  <tr key={user.id}>
                    <td>
                      {user.name}
                      <br />
                      <span className="muted">{user.email}</span>
                    </td>
                    <td>{connection?.address ?? 'Not connected'}</td>
                    <td>{connection ? connection.status.replaceAll('_', ' ') : '—'}</td>
                    <td>
                      <When at={connection?.sync.lastSyncAt} />
                    </td>
                    <td>{connection?.sync.error ?? connection?.lastError ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

function ProviderSetting({
  organization,
  users,
  onChange,
}: {
  organization: GetOrganizationResponse;
  users: GetConnectionsResponse['users'] | undefined;
  onChange: () => void;
}) {
  const [choice, setChoice] = useState<Provider>(organization.provider);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [saving, setSaving] = useState(false);
  const affected = (users ?? []).filter(
    ({ connection }) =>
      connection && connection.status !== 'deauthorized' && connection.status !== 'disconnected',
  ).length;
  const save = async () => {
    setSaving(true);
    setProblem(undefined);
    try {
      await api('PATCH /api/organization', { body: { provider: choice } });
      setConfirming(false);
      onChange();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  };
  const selectable = (provider: Provider) =>
    provider === 'none' || organization.availableProviders.includes(provider);
  return (
    <section aria-labelledby="provider" className="card">
      <h2 id="provider">Mail provider</h2>
      <p>
        {organization.name} uses <strong>{PROVIDERS[organization.provider]}</strong>.
      </p>
      <fieldset disabled={saving}>
        <legend>Provider</legend>
        {(Object.keys(PROVIDERS) as Provider[]).map((provider) => (
          <label key={provider}>
            <input
              type="radio"
              name="provider"
              value={provider}
              checked={choice === provider}
              disabled={!selectable(provider)}
              onChange={() => {
                setChoice(provider);
                setConfirming(false);
              }}
            />{' '}
            {PROVIDERS[provider]}
            {!selectable(provider) && <span className="muted"> (not configured on this server)</span>}
          </label>
        ))}
      </fieldset>
      {problem && <Problem message={problem} />}
      {choice !== organization.provider &&
        (confirming ? (
          <div role="alertdialog" aria-labelledby="confirm-provider" className="confirm">
            <p id="confirm-provider">
              Switching to {PROVIDERS[choice]} un-authorizes{' '}
              {users === undefined
                ? 'every connected user'
                : `${affected} ${affected === 1 ? 'user' : 'users'}`}
              : their sync stops and each must connect again
              {choice === 'none' ? ' once a provider is chosen' : ''}. Mail synced so far stays.
            </p>
            <button type="button" className="danger" onClick={() => void save()} disabled={saving}>
              Yes, switch to {PROVIDERS[choice]}
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="primary" onClick={() => setConfirming(true)}>
            Change provider…
          </button>
        ))}
    </section>
  );
}
