/**
 * Admin settings: the organization's provider (R2–R5, with a confirmation naming how many users a change
 * un-authorizes), internal domains (R11), the backfill window (R9), Microsoft 365 admin consent, and every
 * user's connection health (never mail content, R15). The audit log has its own page.
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { Backfill } from '../components/admin/Backfill.tsx';
import { InternalDomains } from '../components/admin/InternalDomains.tsx';
import { MicrosoftConsent } from '../components/admin/MicrosoftConsent.tsx';
import { ProviderSetting } from '../components/admin/ProviderSetting.tsx';
import { UsersTable } from '../components/admin/UsersTable.tsx';
import { Show } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';
import { PAGES } from '../paths.ts';

export function SettingsPage() {
  const organization = useLoad(() => api('GET /api/organization'), []);
  // A provider change un-authorizes users: the table loads again after one.
  const [round, setRound] = useState(0);
  return (
    <section className="settings">
      <h1>Settings</h1>
      <p className="muted">
        Who did what is in the <Link href={PAGES.audit}>audit log</Link>.
      </p>
      <Show loaded={organization} what="the organization">
        {(org) => (
          <>
            <ProviderSetting
              organization={org}
              onChange={() => {
                organization.reload();
                setRound((n) => n + 1);
              }}
            />
            {org.availableProviders.includes('microsoft') && <MicrosoftConsent organization={org} />}
            <InternalDomains
              primaryDomain={org.primaryDomain}
              domains={org.internalDomains}
              onChange={organization.reload}
            />
            <Backfill days={org.backfillDays} onChange={organization.reload} />
          </>
        )}
      </Show>
      <UsersTable round={round} />
    </section>
  );
}
