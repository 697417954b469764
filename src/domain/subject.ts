/**
 * Subjects as a thread shows them: the reply and forward prefixes that mail clients stack up
 * ("Re: Fwd: RE: …"), in the languages recruiters' clients write them in, are taken off.
 */

// Re/Fwd in English and the prefixes Outlook and others localize them to: AW and WG (German), SV and
// VB (Scandinavian), VS (Finnish), RV and Enc (Spanish, Portuguese), TR (French), Antw (Dutch), Odp (Polish),
// 回复/转发/答复 (Chinese). A counter may follow ("Re[2]:", "Re(3):", "Re^2:"); full-width colons occur
// in CJK mail.
// Whitespace is collapsed to single spaces first, so one optional space stands for any run of it.
// The patterns are sticky: each is tried at the current position only, so taking off a stack of n
// prefixes reads the subject once instead of n times.
const PREFIX =
  / ?(?:re|fwd?|aw|wg|sv|vb|vs|rv|enc|tr|antw|odp|回复|回覆|转发|轉寄|答复) ?(?:\[\d{1,6}\]|\(\d{1,6}\)|\^\d{1,6})? ?[:：] ?/iuy;

// A bracketed tag such as "[EXTERNAL]" or a mailing list's "[team]", followed by a prefix. Such tags are
// taken off only when a prefix follows them, since that is where gateways and list servers insert them
// into a reply; a tag the writer put at the start of a new subject ("[Urgent] Interview") is theirs.
const TAG_BEFORE_PREFIX = / ?\[[^\]]{1,40}\] ?(?=\S)/uy;

/** The most of a subject read: a longer one is cut (subjects are stored to 1,000 characters). */
export const MAX_SUBJECT_INPUT = 2000;

/** The subject without its stacked reply/forward prefixes and surrounding whitespace, for thread display. */
export function normalizeSubject(subject: string | null | undefined): string {
  const text = (subject ?? '').slice(0, MAX_SUBJECT_INPUT).toWellFormed().replace(/\s+/gu, ' ').trim();
  let at = 0;
  for (;;) {
    const prefixEnd = endOf(PREFIX, text, at);
    if (prefixEnd !== undefined) {
      at = prefixEnd;
      continue;
    }
    const tagEnd = endOf(TAG_BEFORE_PREFIX, text, at);
    if (tagEnd !== undefined && endOf(PREFIX, text, tagEnd) !== undefined) {
      at = tagEnd;
      continue;
    }
    return text.slice(at).trim();
  }
}

function endOf(sticky: RegExp, text: string, at: number): number | undefined {
  sticky.lastIndex = at;
  return sticky.test(text) ? sticky.lastIndex : undefined;
}
