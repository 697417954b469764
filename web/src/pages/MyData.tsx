/**
 * My data (R16): the candidate downloads everything talentsync holds about them from synced mail (a
 * data-subject access request, `GET /api/me/export`, streamed), and erases every synced email involving
 * their addresses, in every organization, after a confirmation that says exactly what happens.
 */
import { useState } from 'react';
import { ApiError, api } from '../api/client.ts';
import type { PostMeErasureResponse } from '../api/types.ts';
import { Problem, When } from '../components/Status.tsx';

export function MyDataPage() {
  return (
    <section className="narrow member">
      <h1>My data</h1>
      <p>
        Recruiters who connect their company mailbox to talentsync have the email they exchange with you
        copied here, while you let anyone find you by your email address. Your mailbox and theirs are never
        touched from this page.
      </p>
      <Export />
      <Erase />
    </section>
  );
}

type Download =
  | { state: 'idle' }
  | { state: 'preparing'; received: number }
  | { state: 'done'; file: string; size: number; messages: number; inmail: number; organizations: number }
  | { state: 'failed'; message: string };

function Export() {
  const [download, setDownload] = useState<Download>({ state: 'idle' });
  const start = async () => {
    setDownload({ state: 'preparing', received: 0 });
    try {
      const response = await fetch('/api/me/export', { credentials: 'same-origin' });
      if (!response.ok || !response.body) {
        const answer = (await response.json().catch(() => undefined)) as
          | { error?: { message?: string } }
          | undefined;
        throw new ApiError(
          response.status,
          'error',
          answer?.error?.message ?? `the server answered ${response.status}`,
        );
      }
      const chunks: Uint8Array[] = [];
      let received = 0;
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        setDownload({ state: 'preparing', received });
      }
      const blob = new Blob(chunks as BlobPart[], { type: 'application/json' });
      const document = JSON.parse(await blob.text()) as {
        summary: { messages: number; inmailMessages: number; organizations: number };
      };
      const file =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
        'talentsync-export.json';
      const url = URL.createObjectURL(blob);
      const link = window.document.createElement('a');
      link.href = url;
      link.download = file;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setDownload({
        state: 'done',
        file,
        size: received,
        messages: document.summary.messages,
        inmail: document.summary.inmailMessages,
        organizations: document.summary.organizations,
      });
    } catch (error) {
      setDownload({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <section className="card" aria-labelledby="export-heading">
      <h2 id="export-heading">Download my data</h2>
      <p>
        One JSON file with everything held about you from synced email, in every organization and whatever its
        visibility: each message involving any of your addresses (sender, recipients, subject, times, text,
        attachment names and sizes), your InMail conversations, and the erasures and suppressions on record.
        Downloads are recorded, without their content.
      </p>
      <button
        type="button"
        className="primary"
        disabled={download.state === 'preparing'}
        onClick={() => void start()}
      >
        Download my data
      </button>
      <div aria-live="polite">
        {download.state === 'preparing' && (
          <p role="status">
            Preparing your file… {download.received > 0 && `${kilobytes(download.received)} received so far.`}
          </p>
        )}
        {download.state === 'done' && (
          <p role="status" className="ok">
            Downloaded {download.file} ({kilobytes(download.size)}): {download.messages} synced{' '}
            {download.messages === 1 ? 'email' : 'emails'} and {download.inmail} InMail{' '}
            {download.inmail === 1 ? 'message' : 'messages'}, from {download.organizations}{' '}
            {download.organizations === 1 ? 'organization' : 'organizations'}.
          </p>
        )}
      </div>
      {download.state === 'failed' && (
        <Problem message={`Your file could not be prepared: ${download.message}`} />
      )}
    </section>
  );
}

function kilobytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KB`;
}

function Erase() {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [erased, setErased] = useState<PostMeErasureResponse>();
  const erase = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      setErased(await api('POST /api/me/erasure'));
      setConfirming(false);
    } catch (error) {
      setProblem(`Nothing was erased: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="erase-heading">
      <h2 id="erase-heading">Erase my synced email</h2>
      <p>
        Erases every email involving any of your addresses that talentsync copied from recruiters’ mailboxes.
        Your InMail conversations stay.
      </p>
      {problem && <Problem message={problem} />}
      {erased && <Erased answer={erased} />}
      {confirming ? (
        <section className="confirm" aria-labelledby="erase-confirm">
          <p id="erase-confirm">
            <strong>Erase all of it? This cannot be undone.</strong>
          </p>
          <ul>
            <li>
              Every synced email involving your addresses is erased in <strong>every organization</strong>:
              its content, headers, search index and anything derived from it. Recruiters’ own mailboxes are
              not touched.
            </li>
            <li>
              Your addresses are then kept only as keyed hashes on a suppression list: no mailbox syncs email
              with you again until you choose “Anyone” under Who can find me once more.
            </li>
            <li>
              Database backups that still hold the erased email age out within a set number of days, which the
              answer tells you.
            </li>
            <li>The erasure is recorded, without any content.</li>
          </ul>
          <button type="button" className="danger" disabled={busy} onClick={() => void erase()}>
            Yes, erase my synced email
          </button>{' '}
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </section>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Erase my synced email…
        </button>
      )}
    </section>
  );
}

function Erased({ answer }: { answer: PostMeErasureResponse }) {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <div role="status" className="erased">
      <p>
        <strong>Erased</strong> <When at={answer.at} />:{' '}
        {answer.messages === 0
          ? 'there was no synced email left to erase (an earlier erasure took it)'
          : `${plural(answer.messages, 'email', 'emails')} in ${plural(answer.threads, 'thread', 'threads')}, across ${plural(answer.organizations, 'organization', 'organizations')}`}
        .
      </p>
      <p>What was erased of each: {answer.erased}.</p>
      <p>
        {plural(answer.suppressed, 'address is', 'addresses are')} now suppressed: no mailbox syncs email with
        you until you choose “Anyone” again. Backups holding erased email age out within{' '}
        {plural(answer.backupsAgeOutWithinDays, 'day', 'days')}.
      </p>
    </div>
  );
}
