/**
 * Recruiting mail as the reader hands it to the store (`NewMessage` of `src/db/mail.ts`), for the ingest
 * benchmark (`bench/stages/ingest.ts`): one recruiter's mailbox, threads of 1–20 messages between the
 * recruiter and a candidate (a second candidate cc'd on one thread in ten), every message linked to its
 * thread's candidates, in order of arrival. Bodies are a few hundred bytes to about 4 KiB of recruiting
 * words (`bench/history-data.ts`), with HTML on two in five, attachment metadata on one in seven, replies
 * carrying In-Reply-To and References. Members are numbers (0..members-1), mapped to ids per database.
 * Seeded: the same sizes give the same mail.
 */
import type { NewMessage } from '../src/db/mail.ts';
import { FIRST, LAST, ROLES, SUBJECTS, WORDS } from './history-data.ts';

export type IngestMessage = Omit<NewMessage, 'memberIds'> & { members: number[] };

const RECRUITER = { address: 'rex@ingest.example', name: 'Rex Recruiter' };
const HOUR = 3_600_000;

export function ingestMail(size: { messages: number; threads: number; members: number }): IngestMessage[] {
  let seed = 20_261_214;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const sentence = () => {
    const words = Array.from({ length: 6 + Math.floor(random() * 12) }, () => pick(WORDS));
    const text = words.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const body = () => {
    const target = 300 + Math.floor(random() ** 2 * 3800);
    const paragraphs: string[] = [];
    let length = 0;
    while (length < target) {
      const paragraph = Array.from({ length: 2 + Math.floor(random() * 4) }, sentence).join(' ');
      paragraphs.push(paragraph);
      length += paragraph.length + 2;
    }
    return paragraphs;
  };
  const candidate = (n: number) => {
    const first = FIRST[n % FIRST.length] as string;
    const last = LAST[Math.floor(n / FIRST.length) % LAST.length] as string;
    return { address: `${first}.${last}.${n}@candidates.example`.toLowerCase(), name: `${first} ${last}` };
  };

  // Threads of 1–20 messages (mean about 20,000 ÷ 3,000 at the full size) until the messages are used up.
  const mean = size.messages / size.threads;
  const start = Date.UTC(2026, 0, 5, 8);
  const span = 120 * 24 * HOUR;
  const messages: IngestMessage[] = [];
  for (let t = 0; messages.length < size.messages; t += 1) {
    const count = Math.min(
      size.messages - messages.length,
      Math.max(1, Math.min(20, Math.round(mean * 2 * random() ** 1.2))),
    );
    const members = [Math.floor(random() ** 1.5 * size.members)];
    const second = Math.floor(random() * size.members);
    if (random() < 0.1 && second !== members[0]) members.push(second);
    const people = members.map(candidate);
    const subject = (pick(SUBJECTS) as string).replace('%s', pick(ROLES));
    const threadId = `thread${t.toString(16).padStart(12, '0')}`;
    let at = start + Math.floor(random() * span);
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const sent = i % 2 === 1;
      const from = sent ? RECRUITER : (people[0] as { address: string; name: string });
      const to = sent ? [people[0] as { address: string; name: string }] : [RECRUITER];
      const cc = people.slice(1);
      const paragraphs = body();
      const text = `${paragraphs.join('\n\n')}\n\n-- \n${from.name}`;
      const rfc = `<${t}.${i}.${Math.floor(random() * 1e9)}@mail.${sent ? 'ingest.example' : 'candidates.example'}>`;
      const receivedAt = new Date(at);
      messages.push({
        providerMessageId: `${t.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}`,
        providerThreadId: threadId,
        rfcMessageId: rfc,
        inReplyTo: ids.at(-1) ?? null,
        references: ids.slice(-10),
        direction: sent ? 'sent' : 'received',
        from,
        to,
        cc,
        bcc: sent && random() < 0.05 ? [{ address: 'hiring-log@ingest.example' }] : [],
        subject: i === 0 ? subject : `Re: ${subject}`,
        sentAt: new Date(at - Math.floor(random() * 30_000)),
        receivedAt,
        snippet: text.replace(/\s+/g, ' ').slice(0, 200),
        bodyText: text,
        bodyHtml:
          random() < 0.4
            ? `<div dir="ltr">${paragraphs.map((p) => `<p>${p}</p>`).join('')}<p>-- <br>${from.name}</p></div>`
            : null,
        attachments:
          random() < 1 / 7
            ? [
                {
                  filename: `${from.name.replace(' ', '_')}_CV.pdf`,
                  contentType: 'application/pdf',
                  size: 40_000 + Math.floor(random() * 400_000),
                  disposition: 'attachment',
                },
              ]
            : [],
        truncated: false,
        members,
      });
      ids.push(rfc);
      at += Math.floor((1 + random() * 47) * HOUR);
    }
  }
  return messages.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}
