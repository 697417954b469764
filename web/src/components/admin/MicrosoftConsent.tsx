/**
 * Microsoft 365 tenant-wide admin consent: one admin consents for the whole tenant, so that a tenant which
 * requires it lets its recruiters connect. It connects nobody's mailbox (R6). The flow goes through the
 * start link's page and Microsoft's consent page, and comes back to Settings.
 */
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { GetOrganizationResponse } from '../../api/types.ts';
import { Problem, When } from '../Status.tsx';
import { problemText } from './words.ts';

export function MicrosoftConsent({ organization }: { organization: GetOrganizationResponse }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const { tenantId, adminConsentAt } = organization.microsoft;
  const start = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const { url } = await api('POST /api/organization/microsoft-admin-consent');
      window.location.assign(url);
    } catch (error) {
      setProblem(problemText(error));
      setBusy(false);
    }
  };
  const onMicrosoft = organization.provider === 'microsoft';
  return (
    <section aria-labelledby="admin-consent" className="card">
      <h2 id="admin-consent">Microsoft 365 admin consent</h2>
      <p data-consent={adminConsentAt ? 'granted' : 'none'}>
        {adminConsentAt ? (
          <>
            Granted on <When at={adminConsentAt} /> for tenant <code>{tenantId}</code>.
          </>
        ) : (
          'Not granted yet.'
        )}
      </p>
      {onMicrosoft ? (
        <>
          <p className="muted">
            Some Microsoft 365 tenants let users connect an app only after an admin consents for everyone.
            Granting it connects nobody’s mailbox: each recruiter still connects their own.
          </p>
          <button type="button" disabled={busy} onClick={() => void start()}>
            {adminConsentAt ? 'Grant admin consent again' : 'Grant admin consent for Microsoft 365'}
          </button>
        </>
      ) : (
        <p className="muted">Available while the organization uses Microsoft 365.</p>
      )}
      {problem && <Problem message={problem} />}
    </section>
  );
}
