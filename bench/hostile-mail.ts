/**
 * Parse + sanitize + snippet time of the worst mails we know of (issue 8, items 3–6): each is read the
 * way sync reads a matched message (`parseMessage`, which sanitizes the HTML and reads it as text, then
 * `snippet`). Prints one table row per input: the median of `HOSTILE_RUNS` (3) runs, after one warm-up
 * read of an ordinary message. `HOSTILE_CASES=am-schrieb,b-tags` runs some of them.
 */
import { parseMessage } from '../src/domain/mime.ts';
import { snippet } from '../src/domain/snippet.ts';

const MIB = 1024 * 1024;

function mail(headers: string[], body: string): Buffer {
  return Buffer.from([...headers, '', body].join('\r\n'), 'latin1');
}

const BASE = ['From: Ann <ann@candidate.com>', 'To: jane@acme.com', 'Subject: Hello', 'MIME-Version: 1.0'];

function nestedMultipart(depth: number): string {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost words\r\n';
  for (let level = depth; level > 0; level--) {
    const boundary = `b${level}`;
    body = `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\n${body}--${boundary}--\r\n`;
  }
  return body;
}

function base64Lines(bytes: number): string {
  const line = `${'QUJD'.repeat(19)}\r\n`;
  return line.repeat(Math.ceil(bytes / 57));
}

const CASES: Record<string, () => Buffer> = {
  // One 1 MiB line: "Am " and "schrieb " × 128k, the quadratic attribution pattern's worst case.
  'am-schrieb': () =>
    mail([...BASE, 'Content-Type: text/plain; charset=utf-8'], `Am ${'schrieb '.repeat(128 * 1024)}`),
  'b-tags': () => mail([...BASE, 'Content-Type: text/html; charset=utf-8'], '<b>'.repeat(150_000)),
  // One inline style value of 50,000 digits: the quadratic CSS number pattern's worst case.
  'css-digits': () =>
    mail(
      [...BASE, 'Content-Type: text/html; charset=utf-8'],
      `<b style="margin:${'1'.repeat(50_000)}x">x</b>`,
    ),
  'div-nesting': () =>
    mail(
      [...BASE, 'Content-Type: text/html; charset=utf-8'],
      `${'<div>'.repeat(50_000)}deep${'</div>'.repeat(50_000)}`,
    ),
  'multipart-nesting': () => Buffer.from(`${BASE.join('\r\n')}\r\n${nestedMultipart(250)}`, 'latin1'),
  'nul-laden': () =>
    mail(
      [
        ...BASE,
        'Subject: =?utf-8?q?a=00b?=',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      'a=00'.repeat(MIB / 4),
    ),
  '41-mb-mail': () =>
    mail(
      [...BASE, 'Content-Type: multipart/mixed; boundary="cut"'],
      [
        '--cut',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See the attached CV.',
        '--cut',
        'Content-Type: application/pdf; name="cv.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(30 * MIB),
        '--cut--',
      ].join('\r\n'),
    ),
};

const wanted = process.env.HOSTILE_CASES?.split(',') ?? Object.keys(CASES);
const runs = Number(process.env.HOSTILE_RUNS ?? 3);

async function timed(raw: Buffer): Promise<{ ms: number; parsed: Awaited<ReturnType<typeof parseMessage>> }> {
  const started = process.hrtime.bigint();
  const parsed = await parseMessage(raw);
  snippet(parsed.text);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, parsed };
}

await timed(mail([...BASE, 'Content-Type: text/html; charset=utf-8'], '<p>Hello <b>there</b></p>'));
console.log('| input | raw size | parse + sanitize + snippet | stored text + html | truncated |');
console.log('| --- | --- | --- | --- | --- |');
for (const name of wanted) {
  const build = CASES[name];
  if (!build) throw new Error(`no case ${name}`);
  const raw = build();
  const results = [];
  for (let run = 0; run < runs; run++) results.push(await timed(raw));
  results.sort((a, b) => a.ms - b.ms);
  const { ms, parsed } = results[Math.floor(results.length / 2)] as (typeof results)[number];
  const stored = Buffer.byteLength(parsed.text) + Buffer.byteLength(parsed.html ?? '');
  const truncated = Object.entries(parsed.truncated)
    .filter(([, value]) => value === true)
    .map(([key]) => key)
    .join(',');
  console.log(
    `| ${name} | ${(raw.length / MIB).toFixed(2)} MiB | ${ms.toFixed(0)} ms | ${(stored / 1024).toFixed(0)} KiB | ${truncated || '-'} |`,
  );
}
