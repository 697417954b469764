/**
 * The examples of the OpenAPI document, all from one small world: the demo organization (`npm start`,
 * cli/demo.ts) a month into using talentsync. Ada administers it, Rex recruits and has connected his Google
 * mailbox, Grace is a candidate who wrote to Rex, talked with him over InMail and booked an interview.
 * Every id, address and time below is shared by every route that shows that thing, so a reader can follow
 * one thread from the list to the message to the candidate's history. No value here is a real secret: the
 * tokens, cursors and codes are shaped like ours and say so.
 *
 * A schema gets its examples with `withExamples(schema, …)`, next to where it is declared: the compiler
 * checks each against the schema's type, and test/http/openapi-examples.test.ts checks each against the schema itself.
 */
import { type Static, type TSchema, Type } from 'typebox';

/** What a value looks like as JSON: Dates (our `Timestamp`s) are RFC 3339 strings on the wire. */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Wire<Item>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** `schema` with one or more examples, written as they travel (JSON) and type-checked against the schema. */
export function withExamples<T extends TSchema>(
  schema: T,
  ...examples: [Wire<Static<T>>, ...Wire<Static<T>>[]]
): T {
  return Type.With(schema, { examples }) as unknown as T;
}

export const PUBLIC_URL = 'https://talentsync.acme.example';

export const ORG = {
  id: 'aa356a2d-e58c-4972-91d1-19433925e6f6',
  name: 'Acme Talent (demo)',
  primaryDomain: 'acme.example',
} as const;

export const ADA = {
  id: '2cd4aabe-c5e9-4020-999f-d08b7b2fd10e',
  email: 'ada@acme.example',
  name: 'Ada Admin',
  role: 'admin',
  createdAt: '2026-03-02T09:00:00.000Z',
} as const;

export const REX = {
  id: '60dddaa2-23fc-4703-83cf-3d02462b32ec',
  email: 'rex@acme.example',
  name: 'Rex Recruiter',
  role: 'member',
  createdAt: '2026-03-02T09:01:00.000Z',
} as const;

export const CLEO = {
  id: '57ef69ae-074e-4865-b8cc-479db970fbf6',
  email: 'cleo@acme.example',
  name: 'Cleo Colleague',
  role: 'member',
  createdAt: '2026-03-02T09:02:00.000Z',
} as const;

export const GRACE = {
  id: '6fcafda8-1ea6-45c0-9d0d-d18f82f5e2a9',
  externalId: 'demo-1',
  name: 'Grace Candidate',
  headline: 'Staff engineer',
  emails: ['grace.candidate@gmail.com'],
  discoverability: 'anyone' as const,
  discoverabilityChangedAt: '2026-03-01T12:00:00.000Z',
};

/** Another member, who wrote to Cleo. */
export const ALAN = {
  id: 'e5b7c9d1-3f2a-4b6c-8d0e-1a2b3c4d5e6f',
  name: 'Alan Applicant',
  address: 'alan@applicant.example',
};

/** Rex's Google mailbox connection. */
export const REX_CONNECTION_ID = 'f04a0e38-fd2c-47ff-ab4a-ead7e464146d';
/** The email thread Grace started with Rex, its two messages, and her attachment. */
export const THREAD_ID = '7cd0317f-58d1-4920-a34d-8c7f00aab858';
export const GRACE_MESSAGE_ID = '050cd931-a76a-4e26-a44d-b3f2bed838e8';
export const REX_REPLY_ID = '7edd5e2e-2bb0-4da6-983d-8ea750d3c0fa';
/** The InMail conversation Rex started with Grace, and its messages. */
export const CONVERSATION_ID = 'd4989962-fb6d-40a2-ba69-347f74544d3c';
export const INMAIL_FIRST_ID = 'a54b8c9a-1cc5-41d3-940f-e47e83b569b6';
export const INMAIL_REPLY_ID = '2a9a5583-0634-4d24-ae0e-5c0c925942ee';
/** The interview times Rex proposed in that conversation, and the one Grace booked. */
export const PROPOSAL_ID = '0765324c-977b-4a05-bcd3-bf8770bfdcbf';
export const BOOKING_ID = '37f0c75f-ee53-4a61-9350-792420aaa612';
/** An erasure and an export of a member's mail (R16). */
export const ERASURE_ID = '4288420b-d4fc-4051-baff-669467e5c303';
export const EXPORT_ID = 'a78a40f3-103d-4132-bd32-823579bed6cc';

export const GRACE_ADDRESS = { name: 'Grace Candidate', address: 'grace.candidate@gmail.com' };
export const REX_ADDRESS = { name: 'Rex Recruiter', address: 'rex@acme.example' };
export const THREAD_SUBJECT = 'Staff engineer role';
export const CONVERSATION_SUBJECT = 'Interview for the Staff engineer role';

/** Shaped like our tokens (`ts<kind>_<id>_<secret>`) and cursors (`v1.<key>.<sealed>`); none works. */
export const EXAMPLE_TOKEN = 'tsu_4299d82f22a0c75d_EXAMPLE-not-a-real-secret-EXAMPLE-000000000';
export const EXAMPLE_MEMBER_TOKEN = 'tsm_49de6c3c0008637a_EXAMPLE-not-a-real-secret-EXAMPLE-000000000';
export const EXAMPLE_CURSOR = 'v1.main.EXAMPLE-opaque-cursor-pass-it-back-as-is';
