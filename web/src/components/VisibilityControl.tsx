/** R15's control for a thread's owner: private, its existence seen by the team, or visible to everyone. */
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { PutThreadsIdVisibilityBody } from '../api/types.ts';
import { Problem } from './Status.tsx';

export type Visibility = PutThreadsIdVisibilityBody['visibility'];

export const VISIBILITY_WORDS: Record<Visibility, string> = {
  private: 'Private to me',
  metadata: 'Team can see it exists',
  organization: 'Visible to organization',
};

const HELP: Record<Visibility, string> = {
  private: 'Only you see this thread.',
  metadata: 'Colleagues see who took part, when, and how many messages; never the subject or the mail.',
  organization: 'Everyone in your organization can read it.',
};

export function VisibilityControl({
  threadId,
  visibility,
  onChange,
}: {
  threadId: string;
  visibility: Visibility;
  onChange?: (visibility: Visibility) => void;
}) {
  const [current, setCurrent] = useState(visibility);
  const [problem, setProblem] = useState<string>();
  const [saving, setSaving] = useState(false);
  const choose = async (next: Visibility) => {
    setSaving(true);
    setProblem(undefined);
    try {
      await api('PUT /api/threads/:id/visibility', { params: { id: threadId }, body: { visibility: next } });
      setCurrent(next);
      onChange?.(next);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  };
  return (
    <fieldset className="visibility" disabled={saving}>
      <legend>Who can see this thread</legend>
      {(Object.keys(VISIBILITY_WORDS) as Visibility[]).map((level) => (
        <label key={level}>
          <input
            type="radio"
            name={`visibility-${threadId}`}
            value={level}
            checked={current === level}
            onChange={() => void choose(level)}
          />{' '}
          {VISIBILITY_WORDS[level]} <span className="muted">— {HELP[level]}</span>
        </label>
      ))}
      <span aria-live="polite" className="muted">
        {saving ? 'Saving…' : ''}
      </span>
      {problem && <Problem message={problem} />}
    </fieldset>
  );
}
