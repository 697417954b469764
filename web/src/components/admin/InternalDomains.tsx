/**
 * R11's extra internal domains: addresses on them count as colleagues, so mail with them never syncs.
 * The API decides what a domain is (a public suffix or a consumer domain is refused); the page says why.
 */
import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api/client.ts';
import { Empty, Problem } from '../Status.tsx';
import { problemText } from './words.ts';

export function InternalDomains({
  primaryDomain,
  domains: saved,
  onChange,
}: {
  primaryDomain: string;
  domains: string[];
  onChange: () => void;
}) {
  // What the last change answered, so the list is right at once, before the page's data loads again.
  const [domains, setDomains] = useState(saved);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [saving, setSaving] = useState(false);
  const help = useId();

  const save = async (next: string[], said: string) => {
    setSaving(true);
    setProblem(undefined);
    setNotice(undefined);
    try {
      const { organization } = await api('PATCH /api/organization', { body: { internalDomains: next } });
      setDomains(organization.internalDomains);
      setNotice(said);
      setDraft('');
      onChange();
      return true;
    } catch (error) {
      setProblem(problemText(error));
      return false;
    } finally {
      setSaving(false);
    }
  };
  const add = (event: FormEvent) => {
    event.preventDefault();
    const domain = draft.trim().replace(/^@/, '').toLowerCase();
    if (domain === '') return setProblem('Type a domain name first, like example.com.');
    if (domain === primaryDomain) return setProblem(`${domain} is your organization’s own domain already.`);
    if (domains.includes(domain)) return setProblem(`${domain} is on the list already.`);
    void save([...domains, domain], `Added ${domain}.`);
  };

  return (
    <section aria-labelledby="internal-domains" className="card">
      <h2 id="internal-domains">Internal domains</h2>
      <p className="muted">
        Addresses on {primaryDomain} and on these domains count as colleagues: mail among them is never synced
        (R11).
      </p>
      {domains.length === 0 ? (
        <Empty>No extra internal domains.</Empty>
      ) : (
        <ul className="domains" aria-label="Extra internal domains">
          {domains.map((domain) => (
            <li key={domain}>
              <span>{domain}</span>
              <button
                type="button"
                disabled={saving}
                aria-label={`Remove ${domain}`}
                onClick={() =>
                  void save(
                    domains.filter((other) => other !== domain),
                    `Removed ${domain}.`,
                  )
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={add}>
        <label htmlFor="new-domain">Add a domain</label>
        <span className="muted" id={help}>
          A company domain such as acme-labs.example; not a shared one like gmail.com or co.uk.
        </span>
        <div className="row">
          <input
            id="new-domain"
            aria-describedby={help}
            value={draft}
            maxLength={253}
            autoComplete="off"
            onChange={(event) => setDraft(event.target.value)}
          />
          <button type="submit" disabled={saving}>
            Add domain
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {problem && <Problem message={problem} />}
        {notice && <p className="notice">{notice}</p>}
      </div>
    </section>
  );
}
