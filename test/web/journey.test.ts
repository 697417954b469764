/**
 * Issue 11's whole walk in a real browser, once per provider, with the worker and push running as
 * `npm start` runs them (Gmail through Pub/Sub push, Graph through change notifications) and no test code
 * syncing by hand: the admin chooses the provider, the recruiter connects through the sandbox's consent
 * page, a candidate's mail delivered in the sandbox appears on the candidate's page without a reload, the
 * recruiter shares one thread and lets the team see another exists, a colleague sees exactly that, the
 * recruiter deletes the shared mail in the sandbox mailbox and it disappears, an interview is proposed
 * and booked on the candidate's booking page, the Meet or Teams link shows on both sides, and the
 * candidate exports and erases their data. Every page is screenshotted and passes axe-core without a
 * serious or critical violation.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { onCleanup } from '../support/cleanup.ts';
import { screenshotFolder } from '../support/web-browser.ts';
import {
  connectThroughConsent,
  entry,
  GRACE,
  openBrowser,
  person,
  REX,
  signInAs,
  skip,
  webWorld,
} from '../support/web-world.ts';

onCleanup(() => undefined);

const NAMES: Record<Provider, { product: string; conference: RegExp }> = {
  google: { product: 'Google Workspace', conference: /meet/ },
  microsoft: { product: 'Microsoft 365', conference: /teams/ },
};

for (const provider of ['google', 'microsoft'] as const) {
  test(`R4–R18 in a browser: admin, recruiter, colleague and candidate walk the product (${provider})`, {
    skip,
    timeout: 600_000,
  }, async (t) => {
    const w = await webWorld({ live: true });
    const browser = await openBrowser();
    const { product, conference } = NAMES[provider];

    // The admin chooses the provider (R2, R4).
    const shots = screenshotFolder();
    t.diagnostic(`screenshots: ${shots}`);
    const ada = await person(browser, { shots, prefix: `${provider}-1-ada` });
    await signInAs(ada.page, w.publicUrl, 'Ada Admin');
    await ada.page.getByRole('link', { name: 'Settings' }).click();
    await ada.page.getByText('uses Google Workspace').waitFor();
    if (provider === 'microsoft') {
      await ada.page.getByRole('radio', { name: product }).check();
      await ada.page.getByRole('button', { name: 'Change provider…' }).click();
      const confirmation = ada.page.getByRole('alertdialog');
      await confirmation.getByText(`Switching to ${product} un-authorizes 0 users`).waitFor();
      await confirmation.getByRole('button', { name: `Yes, switch to ${product}` }).click();
      await ada.page.getByText(`uses ${product}`).waitFor();
    }
    await ada.snap('settings');

    // The recruiter connects through the provider's consent page (R6) and the first sync runs.
    const rex = await person(browser, { shots, prefix: `${provider}-2-rex` });
    await signInAs(rex.page, w.publicUrl, 'Rex Recruiter');
    await connectThroughConsent(rex.page, REX);
    await rex.page.getByText('Connected: mail you exchange with candidates is synced.').waitFor();
    await rex.snap('integration');
    await w.firstSync();

    // Grace's page is open when her mail arrives: it shows up without a reload (R10, R17).
    await rex.page.goto(`${w.publicUrl}/candidates/${w.graceId}`);
    await rex.page.getByRole('heading', { name: 'Grace Candidate' }).waitFor();
    const loadsBefore = rex.navigations();
    const mailbox = `/${provider}/mailboxes/${REX}`;
    const deliver = (subject: string, text: string) =>
      w.deliver(
        { from: { name: 'Grace Candidate', address: GRACE }, to: [{ address: REX }], subject, text },
        provider,
      );
    const shared = await deliver('Portfolio', 'Here is my portfolio, as promised.');
    await deliver('Reference check', 'My referee is happy to talk.');
    await deliver('Salary expectations', 'Between you and me: a number.');
    for (const subject of ['Portfolio', 'Reference check', 'Salary expectations']) {
      await entry(rex.page, subject).waitFor({ timeout: 30_000 });
    }
    assert.equal(rex.navigations(), loadsBefore, 'the mail appeared without a reload');
    await rex.page.getByRole('button', { name: 'Show the messages of “Portfolio”' }).click();
    await entry(rex.page, 'Portfolio').frameLocator('iframe').getByText('portfolio, as promised').waitFor();
    await rex.snap('candidate');

    // R15: one thread for the organization, one whose existence the team sees, one private.
    await entry(rex.page, 'Portfolio')
      .getByRole('radio', { name: /Visible to organization/ })
      .click();
    await entry(rex.page, 'Portfolio').getByText('· Visible to organization').waitFor();
    await entry(rex.page, 'Reference check')
      .getByRole('radio', { name: /Team can see it exists/ })
      .click();
    await entry(rex.page, 'Reference check').getByText('· Team can see it exists').waitFor();

    // The colleague sees the shared thread, only that the metadata one exists, nothing of the private one.
    const cleo = await person(browser, { shots, prefix: `${provider}-3-cleo` });
    await signInAs(cleo.page, w.publicUrl, 'Cleo Colleague');
    await cleo.page.goto(`${w.publicUrl}/candidates/${w.graceId}`);
    await entry(cleo.page, 'Portfolio').waitFor();
    await entry(cleo.page, 'A thread of Rex Recruiter’s').waitFor();
    assert.equal(await cleo.page.getByText('Reference check').count(), 0);
    assert.equal(await cleo.page.getByText('Salary expectations').count(), 0);
    assert.equal(await cleo.page.getByText('referee').count(), 0);
    await cleo.page.getByRole('button', { name: 'Show the messages of “Portfolio”' }).click();
    await entry(cleo.page, 'Portfolio').frameLocator('iframe').getByText('portfolio, as promised').waitFor();
    await cleo.snap('candidate');

    // The recruiter deletes the shared mail in the mailbox (R13): it goes from both pages, no reload.
    const cleoLoads = cleo.navigations();
    await w.sandbox.control.post(`${mailbox}/messages/${encodeURIComponent(shared.id)}/delete`, {});
    await entry(rex.page, 'Portfolio').waitFor({ state: 'detached', timeout: 30_000 });
    await entry(cleo.page, 'Portfolio').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(cleo.navigations(), cleoLoads, 'the colleague’s page followed without a reload');

    // An InMail, and interview times proposed from it (R18).
    const write = rex.page.getByRole('region', { name: 'Write an InMail' });
    await write.getByLabel('Subject').fill('Screening interview');
    await write.getByRole('textbox', { name: 'Your InMail' }).fill('Shall we talk this week?');
    await write.getByRole('button', { name: 'Send InMail' }).click();
    await rex.page.getByText('Your InMail to Grace Candidate was sent.').waitFor();
    await rex.page.getByRole('button', { name: 'Show the conversation of “Screening interview”' }).click();
    const chat = entry(rex.page, 'Screening interview');
    await chat.getByText('No times proposed in this conversation yet.').waitFor();
    await chat.getByLabel('Duration').selectOption('30');
    await chat.getByRole('button', { name: 'Propose times' }).click();
    await chat
      .getByText(/^Proposed \d+ times?; the candidate was sent the booking link by InMail\.$/)
      .waitFor();
    await rex.snap('proposed');

    // The candidate books on her booking page, in her own time zone, and sees the conference link.
    const grace = await person(browser, {
      shots,
      prefix: `${provider}-4-grace`,
      timezoneId: 'Asia/Tokyo',
    });
    await signInAs(grace.page, w.publicUrl, 'Grace Candidate');
    await grace.page.getByRole('heading', { name: 'Hello, Grace Candidate' }).waitFor();
    await grace.snap('home');
    await grace.page.getByRole('link', { name: /^Pick a time/ }).click();
    await grace.page.getByRole('heading', { name: 'Your interview' }).waitFor();
    await grace.page.getByRole('radio').first().check();
    await grace.snap('booking');
    await grace.page.getByRole('button', { name: 'Book this time' }).click();
    await grace.page.getByRole('heading', { name: 'Your interview is booked' }).waitFor();
    const link = grace.page.locator('a.conference');
    await link.waitFor({ timeout: 30_000 });
    const href = (await link.getAttribute('href')) ?? '';
    assert.match(href, conference);
    await grace.snap('booked');

    // The same link on the recruiter's side.
    await rex.page.goto(`${w.publicUrl}/candidates/${w.graceId}`);
    await rex.page.getByRole('button', { name: 'Show the conversation of “Screening interview”' }).click();
    await chat.getByText(/30-minute interview · Booked/).waitFor();
    assert.equal(await chat.getByRole('link', { name: /^https?:\/\// }).getAttribute('href'), href);
    await rex.snap('booked');

    // The candidate exports what is held about her (R16's export), then erases it.
    await grace.page.getByRole('link', { name: 'My data' }).click();
    await grace.page.getByRole('heading', { name: 'Download my data' }).waitFor();
    const [download] = await Promise.all([
      grace.page.waitForEvent('download'),
      grace.page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    const exported = await readFile(await download.path(), 'utf8');
    assert.match(exported, /Between you and me: a number\./, 'her private-thread mail is in her export');
    assert.match(exported, /My referee is happy to talk\./);
    assert.doesNotMatch(exported, /portfolio, as promised/, 'the deleted mail is gone');
    await grace.snap('my-data');
    await grace.page.getByRole('button', { name: 'Erase my synced email…' }).click();
    await grace.page.getByRole('button', { name: 'Yes, erase my synced email' }).click();
    await grace.page.getByText(/2 emails in 2 threads, across 1 organization/).waitFor();
    await grace.snap('erased');

    // Her synced email is gone from the recruiter's page; the InMail conversation stays.
    await rex.page.goto(`${w.publicUrl}/candidates/${w.graceId}`);
    await entry(rex.page, 'Screening interview').waitFor();
    assert.equal(await entry(rex.page, 'Reference check').count(), 0);
    assert.equal(await entry(rex.page, 'Salary expectations').count(), 0);

    for (const who of [ada, rex, cleo, grace]) assert.deepEqual(who.errors, []);
    await browser.close();
  });
}
