/**
 * Subjects as a thread shows them: the reply and forward prefixes that mail clients stack up
 * ("Re: Fwd: RE: …"), in the languages recruiters' clients write them in, are taken off.
 */

// Re/Fwd in English and the prefixes Outlook and others localize them to: AW and WG (German), SV and
// VB (Scandinavian), VS (Finnish), RV and Enc (Spanish, Portuguese), TR (French), Antw (Dutch), Odp (Polish),
// 回复/转发/答复 (Chinese). A counter may follow ("Re[2]:", "Re(3):", "Re^2:"); full-width colons occur
// in CJK mail.
const PREFIX =
  /^\s*(?:re|fwd?|aw|wg|sv|vb|vs|rv|enc|tr|antw|odp|回复|回覆|转发|轉寄|答复)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*/iu;

// A bracketed tag such as "[EXTERNAL]" or a mailing list's "[team]", followed by a prefix. Such tags are
// taken off only when a prefix follows them, since that is where gateways and list servers insert them
// into a reply; a tag the writer put at the start of a new subject ("[Urgent] Interview") is theirs.
const TAG_BEFORE_PREFIX = /^\s*\[[^\]]{1,40}\]\s*(?=\S)/u;

/** The subject without its stacked reply/forward prefixes and surrounding whitespace, for thread display. */
export function normalizeSubject(subject: string | null | undefined): string {
  let rest = (subject ?? '').replace(/\s+/gu, ' ').trim();
  for (;;) {
    const prefix = PREFIX.exec(rest);
    if (prefix) {
      rest = rest.slice(prefix[0].length);
      continue;
    }
    const tag = TAG_BEFORE_PREFIX.exec(rest);
    if (tag && PREFIX.test(rest.slice(tag[0].length))) {
      rest = rest.slice(tag[0].length);
      continue;
    }
    return rest.trim();
  }
}
