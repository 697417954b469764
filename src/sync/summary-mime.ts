/**
 * A message over the size cap is read from its summary (MessageSummary: text parts and attachment
 * descriptions), not its raw MIME. The text parts are put back into a small MIME message so they are read
 * like any other mail — on a reader thread, by the same parser, charset handling, caps and sanitizer — and
 * the attachments are described from what the provider listed.
 */
import { randomBytes } from 'node:crypto';
import { type AttachmentInfo, MAX_ATTACHMENTS } from '../domain/mime.ts';
import type { MessageSummary } from '../providers/types.ts';

/** A multipart/alternative of the summary's text parts, base64-encoded (no header of the original). */
export function summaryMime(summary: MessageSummary): Buffer {
  // Random, and the parts are base64: no content can end a part early.
  const boundary = `talentsync-${randomBytes(12).toString('hex')}`;
  const lines = ['MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`, ''];
  for (const part of summary.parts) {
    lines.push(
      `--${boundary}`,
      // A header value cannot carry a line break here: a hostile Content-Type must not add headers.
      `Content-Type: ${part.contentType.replace(/[\r\n]+/g, ' ')}`,
      'Content-Transfer-Encoding: base64',
      '',
      ...(part.content.toString('base64').match(/.{1,76}/g) ?? []),
    );
  }
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/** The summary's attachments as stored (at most MAX_ATTACHMENTS), with filenames made safe to show. */
export function summaryAttachments(summary: MessageSummary): AttachmentInfo[] {
  return summary.attachments.slice(0, MAX_ATTACHMENTS).map((attachment) => ({
    filename: safeFilename(attachment.filename),
    contentType: attachment.contentType,
    size: attachment.size,
    ...(attachment.contentId ? { contentId: attachment.contentId } : {}),
    disposition: attachment.inline ? 'inline' : 'attachment',
  }));
}

// As the MIME reader does: no folders, no control characters, 255 characters at most.
function safeFilename(filename: string | null): string | null {
  if (filename === null) return null;
  const base = filename.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/\p{Cc}/gu, '').trim();
  return clean === '' || clean === '.' || clean === '..' ? null : Array.from(clean).slice(0, 255).join('');
}
