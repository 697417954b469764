/**
 * The organization's provider (R2–R5). A change asks first, naming how many users it un-authorizes,
 * counted by the API at the moment the admin asks (not from a page of the users table).
 */
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { GetOrganizationResponse } from '../../api/types.ts';
import { focusOnMount } from '../focus.ts';
import { Problem } from '../Status.tsx';
import { count, PROVIDER_NAMES, type ProviderSetting as Provider, problemText } from './words.ts';

export function ProviderSetting({
  organization,
  onChange,
}: {
  organization: GetOrganizationResponse;
  onChange: () => void;
}) {
  const [choice, setChoice] = useState<Provider>(organization.provider);
  const [affected, setAffected] = useState<number>();
  const [asking, setAsking] = useState(false);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const selectable = (provider: Provider) =>
    provider === 'none' || organization.availableProviders.includes(provider);

  const ask = async () => {
    setProblem(undefined);
    setDone(undefined);
    setAsking(true);
    try {
      setAffected((await api('GET /api/organization/connected-users')).users);
    } catch (error) {
      setProblem(`Could not count the connected users: ${problemText(error)}`);
      setAsking(false);
    }
  };
  const cancel = () => {
    setAsking(false);
    setAffected(undefined);
  };
  const save = async () => {
    setSaving(true);
    setProblem(undefined);
    try {
      const { deauthorizedUsers } = await api('PATCH /api/organization', { body: { provider: choice } });
      setDone(
        `Now on ${PROVIDER_NAMES[choice]}. ${count(deauthorizedUsers, 'user')} un-authorized${
          choice === 'none' ? '.' : '; each connects again on My integration.'
        }`,
      );
      cancel();
      onChange();
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby="provider" className="card">
      <h2 id="provider">Mail provider</h2>
      <p>
        {organization.name} uses <strong>{PROVIDER_NAMES[organization.provider]}</strong>.
        {organization.provider === 'none' && ' Nobody can connect a mailbox until you choose a provider.'}
      </p>
      <fieldset disabled={saving || asking}>
        <legend>Provider</legend>
        {(Object.keys(PROVIDER_NAMES) as Provider[]).map((provider) => (
          <label key={provider}>
            <input
              type="radio"
              name="provider"
              value={provider}
              checked={choice === provider}
              disabled={!selectable(provider)}
              onChange={() => {
                setChoice(provider);
                setDone(undefined);
              }}
            />{' '}
            {PROVIDER_NAMES[provider]}
            {!selectable(provider) && <span className="muted"> (not configured on this server)</span>}
          </label>
        ))}
      </fieldset>
      {problem && <Problem message={problem} />}
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {choice !== organization.provider &&
        (asking ? (
          affected === undefined ? (
            <p role="status" className="status">
              Counting the connected users…
            </p>
          ) : (
            <div
              role="alertdialog"
              aria-labelledby="confirm-provider"
              className="confirm"
              tabIndex={-1}
              ref={focusOnMount}
            >
              <p id="confirm-provider">
                Switching to {PROVIDER_NAMES[choice]} un-authorizes {count(affected, 'user')}: their sync
                stops, their access is revoked at the provider, and each must connect again
                {choice === 'none' ? ' once a provider is chosen' : ` with ${PROVIDER_NAMES[choice]}`}. Mail
                synced so far stays.
              </p>
              <button type="button" className="danger" onClick={() => void save()} disabled={saving}>
                Yes, switch to {PROVIDER_NAMES[choice]}
              </button>{' '}
              <button type="button" onClick={cancel} disabled={saving}>
                Cancel
              </button>
            </div>
          )
        ) : (
          <button type="button" className="primary" onClick={() => void ask()}>
            Change provider…
          </button>
        ))}
    </section>
  );
}
