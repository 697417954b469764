/**
 * R16 for a thread's owner: erase it from talentsync (never from the mailbox), behind a confirmation
 * that says what goes; the answer is told in words by the page, as the thread leaves the timeline.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import { Problem } from '../Status.tsx';
import { wordsOf } from './usePaged.ts';

export function EraseThread({
  threadId,
  title,
  messageCount,
  onErased,
}: {
  threadId: string;
  title: string;
  messageCount: number;
  onErased: (words: string) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [erasing, setErasing] = useState(false);
  const [problem, setProblem] = useState<string>();
  const heading = useId();
  const keep = useRef<HTMLButtonElement>(null);
  // The button that asked is gone: the question takes the focus, on its safe answer.
  useEffect(() => {
    if (asking) keep.current?.focus();
  }, [asking]);
  const erase = async () => {
    setErasing(true);
    setProblem(undefined);
    try {
      const answer = await api('DELETE /api/threads/:id', { params: { id: threadId } });
      onErased(
        `Erased “${title}”: ${answer.messages} ${answer.messages === 1 ? 'message' : 'messages'} (${answer.erased}). Backups that still hold them age out within ${answer.backupsAgeOutWithinDays} days.`,
      );
    } catch (error) {
      setProblem(wordsOf(error));
      setErasing(false);
    }
  };
  if (!asking)
    return (
      <p>
        <button type="button" onClick={() => setAsking(true)}>
          Erase this thread…
        </button>
      </p>
    );
  return (
    <div className="confirm" role="alertdialog" aria-labelledby={heading}>
      <p id={heading}>
        <strong>
          Erase “{title}” and its {messageCount} {messageCount === 1 ? 'message' : 'messages'} from
          talentsync?
        </strong>{' '}
        Their content, headers, search index and everything derived from them are erased for good, for you and
        your colleagues; these messages never sync again. Your mailbox is not touched.
      </p>
      <button type="button" className="danger" onClick={() => void erase()} disabled={erasing}>
        {erasing ? 'Erasing…' : 'Erase for good'}
      </button>{' '}
      <button type="button" ref={keep} onClick={() => setAsking(false)} disabled={erasing}>
        Keep it
      </button>
      {problem && <Problem message={`The thread was not erased: ${problem}`} />}
    </div>
  );
}
