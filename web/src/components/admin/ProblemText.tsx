/** A connection's problem in words, with the provider's own message folded away behind "Details". */
import type { ProblemWords } from './words.ts';

export function ProblemText({ problem }: { problem: ProblemWords }) {
  return (
    <>
      {problem.words}
      {problem.detail && (
        <details className="detail">
          <summary>Details</summary>
          {problem.detail}
        </details>
      )}
    </>
  );
}
