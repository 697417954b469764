/**
 * A message too large to download whole, read from Gmail's `format=full` (users.messages, MessagePart):
 * text parts come inline as `body.data` (the part's bytes after its transfer encoding, charset untouched),
 * attachments only as `body.attachmentId` and `body.size`, so nothing large is downloaded. A text part that
 * Gmail serves by attachmentId (too big to inline) is left out and the summary says it was cut.
 */
import type { MessageSummary } from '../types.ts';

/** A MessagePart in the fields read here. */
export interface GmailPart {
  mimeType?: string;
  filename?: string;
  headers?: { name?: string; value?: string }[];
  body?: { size?: number; data?: string; attachmentId?: string };
  parts?: GmailPart[];
}

/** Deeper trees than this are not walked (Gmail's own limit on nesting is far lower in practice). */
const MAX_DEPTH = 32;

/** The summary of a `format=full` payload, each text part cut at `maxPartBytes`. */
export function summaryOfPayload(payload: GmailPart | undefined, maxPartBytes: number): MessageSummary {
  const summary: MessageSummary = { parts: [], attachments: [], cut: false };
  const walk = (part: GmailPart, depth: number) => {
    if (depth > MAX_DEPTH) {
      summary.cut = true;
      return;
    }
    if (part.parts) {
      for (const child of part.parts) walk(child, depth + 1);
      return;
    }
    const type = (part.mimeType ?? 'application/octet-stream').toLowerCase();
    const header = (name: string) =>
      part.headers?.find((entry) => entry.name?.toLowerCase() === name)?.value ?? undefined;
    const disposition = header('content-disposition')?.toLowerCase() ?? '';
    const isText = (type === 'text/plain' || type === 'text/html') && !part.filename;
    if (isText && !disposition.startsWith('attachment')) {
      if (part.body?.data === undefined) {
        if (part.body?.attachmentId) summary.cut = true;
        return;
      }
      const content = Buffer.from(part.body.data, 'base64url');
      if (content.length > maxPartBytes) summary.cut = true;
      summary.parts.push({
        contentType: header('content-type') ?? type,
        content: content.subarray(0, maxPartBytes),
      });
      return;
    }
    const contentId = header('content-id')?.trim().replace(/^<|>$/g, '');
    summary.attachments.push({
      filename: part.filename || null,
      contentType: type,
      size: part.body?.size ?? 0,
      ...(contentId ? { contentId } : {}),
      inline: disposition.startsWith('inline') || (!disposition && contentId !== undefined),
    });
  };
  if (payload) walk(payload, 0);
  return summary;
}
