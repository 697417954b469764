import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();
await t.member({ emails: ['kandidat@candidates.example'] });

/** A message as a careless or hostile sender might write it: Latin-1 body, encoded words, script in HTML. */
function hostileRaw(to: string): string {
  const lines = [
    'From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <kandidat@candidates.example>',
    `To: ${to}`,
    'Subject: =?ISO-2022-JP?B?GyRCJEckOSRrGyhC?= =?UTF-8?Q?_=E2=80=94_Bewerbung?=',
    `Date: ${new Date().toUTCString()}`,
    'Message-ID: <hostile-1@candidates.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=ISO-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Gr=FC=DFe, hier ist mein Lebenslauf.',
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p onclick="steal()">Gr\u00fc\u00dfe<script>alert(1)</script><img src="javascript:alert(2)"><a href="https://cv.example/j">CV</a></p>',
    '--b1--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'latin1').toString('base64');
}

for (const provider of ['google', 'microsoft'] as Provider[]) {
  describe(`hostile mail on ${provider}`, () => {
    it('is decoded by its declared charsets and stored with its HTML made harmless', async () => {
      const box = await connectedMailbox(t, provider, `hostile-${provider}.example`);
      await box.deliver({ raw: hostileRaw(box.recruiter.email) });
      await box.sync();
      const [thread] = await box.threads();
      assert.ok(thread, 'the candidate’s mail synced');
      const { messages } = (await t.call(box.recruiter.token, 'GET', `/api/threads/${thread.id}`)).json();
      const message = (await t.call(box.recruiter.token, 'GET', `/api/messages/${messages[0].id}`)).json();
      assert.equal(message.subject, 'でする — Bewerbung');
      assert.equal(message.from.name, 'Jörg Müller');
      assert.match(message.bodyText, /Grüße, hier ist mein Lebenslauf\./);
      assert.doesNotMatch(message.bodyHtml, /script|onclick|javascript:/i);
      assert.match(message.bodyHtml, /href="https:\/\/cv\.example\/j"/);
    });
  });
}
