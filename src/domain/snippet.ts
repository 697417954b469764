/**
 * The one-line preview of a message shown in lists: the start of what the writer wrote, without the
 * quoted conversation below it or their signature.
 *
 * Mail text is hostile input, so the work is bounded and linear: only the first MAX_SNIPPET_INPUT
 * characters are read, line by line, and each line is judged with anchored patterns that cannot
 * backtrack over the same characters twice. (`Am\s.+\bschrieb\s.*:` took 131 s on one 1 MiB line of
 * "schrieb " repeats.)
 */

/** The most text read for a preview: far more than a 200-character preview of what was written needs. */
export const MAX_SNIPPET_INPUT = 64 * 1024;
// Attribution lines ("On …, Jane <jane@acme.com> wrote:") are short; a longer line is the writer's text.
const MAX_ATTRIBUTION_CHARS = 500;

const OUTLOOK_SEPARATOR = /^(?:-{2,}\s*Original Message\s*-{2,}|_{10,})$/i;

/** A whitespace-collapsed preview of `text`, at most `maxLength` characters, without quotes or signature. */
export function snippet(text: string, maxLength = 200): string {
  const input = text.slice(0, MAX_SNIPPET_INPUT);
  const kept: string[] = [];
  for (const line of input.split(/\r?\n/)) {
    const trimmed = line.trim();
    // RFC 3676 signature separator ("-- "), often trimmed to "--" by the time it reaches us.
    if (trimmed === '--') break;
    if (isAttribution(trimmed) || OUTLOOK_SEPARATOR.test(trimmed)) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(trimmed);
  }
  // When everything was quote or signature (a bare forward), a preview of the quote beats an empty one.
  const body = kept.join(' ').trim() || input.replace(/^[\s>]+/gm, ' ');
  return truncate(body.replace(/\s+/g, ' ').trim(), maxLength);
}

// "On Tue, 3 Mar 2026 at 10:00, Jane <jane@acme.com> wrote:" and its French and German forms
// ("Le … a écrit :", "Am … schrieb Jane <…>:"); when a client wraps it, the first line still starts with
// "On" and the last ends with "wrote:". The closing colon is checked on its own first: the German form
// has text after its verb, and a pattern that looked for both the verb and a later colon
// (`schrieb\s.*:`) retried the rest of the line for every "schrieb".
const ATTRIBUTIONS = [/^on\s.+\bwrote:$/i, /^le\s.+\ba écrit\s?:$/i, /^am\s.+?\bschrieb\s/i];

function isAttribution(line: string): boolean {
  if (line.length > MAX_ATTRIBUTION_CHARS || !line.endsWith(':')) return false;
  return ATTRIBUTIONS.some((pattern) => pattern.test(line));
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
