/**
 * Chaos scenario 7 (R19): poison messages among 1,000, with the worker running: a Message-ID too long to
 * index (cannot be stored), a message the provider refuses to hand over for good, a NUL-laden one, an
 * enormous one (well over the size cap), a deeply nested and broken MIME tree. The rest must all be stored
 * (the enormous and broken ones too: what can be read of them), and the poison ones decided `unreadable`
 * (never stored), without holding up the mailbox.
 *
 *   CHAOS_POISON_MESSAGES=1000 npm run chaos -- poison
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/log.ts';
import type { Provider } from '../../src/providers/types.ts';
import {
  chaosProviders,
  chaosTeam,
  deliverInto,
  envNumber,
  firstSync,
  logger,
  report,
  settled,
  sum,
  type Tally,
  type Team,
  tally,
} from '../support/chaos.ts';
import { liveTest } from '../support/live.ts';

const SCENARIO = 'poison';
const messages = envNumber('CHAOS_POISON_MESSAGES', 1000);
const ENORMOUS_BYTES = envNumber('CHAOS_POISON_ENORMOUS_BYTES', 30 * 1024 * 1024);
const live = await liveTest({
  pollQuietMs: 10_000,
  ...(process.env.CHAOS_VERBOSE ? { logger: createLogger('warn') } : {}),
});

/** Endpoints whose answer about one message the sandbox can refuse: its headers and its body. */
const MESSAGE_ENDPOINTS: Record<Provider, string[]> = {
  google: ['gmail.users.messages.get'],
  microsoft: ['graph.messages.value'],
};

/** A raw candidate message, base64 for the control API. */
function raw(
  team: Team,
  subject: string,
  extra: { headers?: string[]; body?: string; messageId?: string; contentType?: string },
) {
  const lines = [
    `From: Pat <${team.candidates[0]?.address}>`,
    `To: ${team.box.recruiter.email}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${extra.messageId ?? `<${randomBytes(8).toString('hex')}@candidates.example>`}`,
    ...(extra.headers ?? []),
    'MIME-Version: 1.0',
    extra.contentType ?? 'Content-Type: text/plain; charset=utf-8',
    '',
    extra.body ?? 'Hello.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'latin1').toString('base64');
}

/** 200 levels of multipart, with a boundary that never closes and NULs in between. */
function brokenTree(): string {
  const depth = 200;
  let body = 'the innermost text \x00 part';
  for (let level = depth; level > 0; level -= 1) {
    body = `--b${level}\r\nContent-Type: multipart/mixed; boundary="b${level + 1}"\r\n\r\n${body}\r\n`;
  }
  return body;
}

describe(`chaos: ${SCENARIO}`, () => {
  it(`R19: poison messages among ${messages} per provider are set aside as unreadable, the rest stored`, {
    timeout: 1_200_000,
  }, async () => {
    const tallies: Tally[] = [];
    for (const provider of chaosProviders()) {
      const log = logger(SCENARIO, provider);
      const started = performance.now();
      const team = await chaosTeam(live, provider, 'poison');
      await firstSync(live, team, { push: true });
      const { box } = team;
      const deliverRaw = async (subject: string, extra: Parameters<typeof raw>[2]) => {
        const sent = await box.deliver({ raw: raw(team, subject, extra) });
        return { id: sent.id, messageId: sent.messageId };
      };
      const third = Math.floor(messages / 3);
      await deliverInto(team, third, { concurrency: 4 });
      // Poison: never storable, so decided unreadable (R19) and not stored.
      const poison = [
        await deliverRaw('Long id', {
          messageId: `<${randomBytes(6000).toString('base64url')}@x.example>`,
        }),
        await deliverRaw('Refused by the provider', {}),
      ];
      for (const endpoint of MESSAGE_ENDPOINTS[provider])
        await live.sandbox.control.post('/faults', {
          provider,
          endpoint,
          messageId: poison[1]?.id,
          status: 400,
        });
      for (const sent of poison) team.ledger.forbid(sent.id);
      await deliverInto(team, third, { concurrency: 4, start: third });
      // Hostile but readable: what can be read of them is stored.
      const hostile = [
        await deliverRaw('=?UTF-8?Q?Null=00byte?=', { body: 'Line with a NUL \x00 inside, and =00.' }),
        await deliverRaw('Broken tree', {
          contentType: 'Content-Type: multipart/mixed; boundary="b1"',
          body: brokenTree(),
        }),
        await deliverRaw('Enormous', {
          body: `${'An enormous letter. '.repeat(Math.ceil(ENORMOUS_BYTES / 20))}`,
        }),
      ];
      for (const sent of hostile) team.ledger.expect(sent);
      await deliverInto(team, messages - 2 * third, { concurrency: 4, start: 2 * third });
      log(`delivered ${messages} + ${poison.length} poison + ${hostile.length} hostile`);
      // The poison ones must be decided too: they are among what sync must have looked at.
      await settled(live.database.db, team, 900_000, log);
      await live.sandbox.control.del('/faults');
      for (const sent of poison) {
        const why = (
          await live.call(
            box.recruiter.token,
            'GET',
            `/api/sync/why?providerMessageId=${encodeURIComponent(sent.id)}`,
          )
        ).json();
        assert.equal(
          why.rule,
          'unreadable',
          `a poison message is decided unreadable: ${JSON.stringify(why)}`,
        );
      }
      const counts = await tally(live, team);
      log(
        `poison decided unreadable: ${poison.length}; expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      tallies.push(counts);
    }
    report(SCENARIO, sum(tallies));
  });
});
