/**
 * Benchmark: memory while syncing big candidate mail (issue 8, item 6). Through the real engine and the
 * sandbox, on a fresh embedded database: 8 candidate mails with a 25 MiB attachment each are synced in one
 * run, then one 41 MB mail alone. RSS is sampled every 5 ms during each sync; the report is the peak over
 * the RSS just before it (the sandbox, in this process, already holds the mail by then). Reader threads
 * count too: they are threads of this process.
 *
 *   node bench/big-mail-rss.ts [--provider google|microsoft] [--mails 8] [--attachment-mib 25]
 *                              [--max-message-mib N]   (SYNC_MAX_MESSAGE_BYTES for this run; default 10 MiB)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Provider } from '../src/providers/types.ts';
import { createMessageReader } from '../src/sync/reader.ts';
import { startBench } from './harness.ts';

const { values } = parseArgs({
  options: {
    provider: { type: 'string', default: 'google' },
    mails: { type: 'string', default: '8' },
    'attachment-mib': { type: 'string', default: '25' },
    'max-message-mib': { type: 'string' },
  },
});
const provider = values.provider as Provider;
const MIB = 1024 * 1024;

/** Runs `work`, sampling RSS; answers the peak above the RSS at the start, in MiB. */
async function peakRss(work: () => Promise<unknown>): Promise<{ before: number; peak: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return { before: before / MIB, peak: (peak - before) / MIB };
}

const bench = await startBench({ live: false });
const cap = values['max-message-mib'];
if (cap !== undefined) {
  // A cap above the mail's size shows what bounded downloads alone do, with every message read whole.
  await bench.context.reader.close();
  bench.context.reader = createMessageReader({
    threads: 1,
    timeoutMs: 120_000,
    maxMessageBytes: Number(cap) * MIB,
  });
}
try {
  const candidate = 'portfolio@candidates.example';
  await bench.member(candidate);
  const box = await bench.connectedMailbox(provider, `big-mail-${provider}.example`);
  await box.sync();
  const deliver = (subject: string, bytes: number) =>
    box.deliver({
      from: { address: candidate },
      to: [{ address: box.email }],
      subject,
      text: 'My portfolio is attached.',
      attachments: [
        {
          filename: 'portfolio.zip',
          contentType: 'application/zip',
          contentBase64: randomBytes(bytes).toString('base64'),
        },
      ],
    });
  const mails = Number(values.mails);
  const attachment = Number(values['attachment-mib']) * MIB;
  for (let i = 0; i < mails; i += 1) await deliver(`Portfolio ${i}`, attachment);
  const many = await peakRss(() => box.sync());
  // 30 MiB of attachment is a 41 MB message once base64-encoded in its MIME.
  await deliver('The 41 MB mail', 30 * MIB);
  const one = await peakRss(() => box.sync());
  const stored = await bench.database.db
    .selectFrom('messages')
    .selectAll()
    .where('connection_id', '=', box.connectionId)
    .execute();
  const line = (what: string, result: { before: number; peak: number }) =>
    `${what}: peak RSS +${result.peak.toFixed(0)} MiB over ${result.before.toFixed(0)} MiB`;
  process.stdout.write(
    [
      `big mail on ${provider} (node ${process.version}, cap ${cap ?? 10} MiB):`,
      `  ${line(`${mails} × ${values['attachment-mib']} MiB attachments, one sync`, many)}`,
      `  ${line('one 41 MB mail', one)}`,
      `  stored: ${stored.length} messages, ${stored.filter((row) => (row as { truncated?: boolean }).truncated === true).length} marked truncated`,
      '',
    ].join('\n'),
  );
} finally {
  await bench.close();
}
