/**
 * The one-line preview of a message shown in lists: the start of what the writer wrote, without the
 * quoted conversation below it or their signature.
 */

// "On Tue, 3 Mar 2026 at 10:00, Jane <jane@acme.com> wrote:" and its common variants; when a client
// wraps it, the first line still starts with "On" and the last ends with "wrote:".
const ATTRIBUTION = /^(?:On\s.+\bwrote:|Le\s.+\ba écrit\s?:|Am\s.+\bschrieb\s.*:)\s*$/i;
const OUTLOOK_SEPARATOR = /^(?:-{2,}\s*Original Message\s*-{2,}|_{10,})$/i;

/** A whitespace-collapsed preview of `text`, at most `maxLength` characters, without quotes or signature. */
export function snippet(text: string, maxLength = 200): string {
  const kept: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    // RFC 3676 signature separator ("-- "), often trimmed to "--" by the time it reaches us.
    if (trimmed === '--') break;
    if (ATTRIBUTION.test(trimmed) || OUTLOOK_SEPARATOR.test(trimmed)) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(trimmed);
  }
  // When everything was quote or signature (a bare forward), a preview of the quote beats an empty one.
  const body = kept.join(' ').trim() || text.replace(/^[\s>]+/gm, ' ');
  return truncate(body.replace(/\s+/g, ' ').trim(), maxLength);
}

function truncate(text: string, maxLength: number): string {
  const characters = Array.from(text);
  if (characters.length <= maxLength) return text;
  const cut = characters.slice(0, Math.max(0, maxLength - 1)).join('');
  // End on a word boundary when one is near, so the preview does not stop mid-word.
  const space = cut.lastIndexOf(' ');
  const ending = space > cut.length * 0.6 ? cut.slice(0, space) : cut;
  return `${ending.trimEnd()}…`;
}
