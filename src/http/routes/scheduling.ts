/**
 * Scheduling screening interviews from InMail (R18). Recruiters keep their scheduling settings, propose
 * times in their own conversations, and cancel or move the interviews booked; the member the conversation
 * is with reads a proposal in their own time zone, books one time, and reschedules or cancels it. A
 * proposal or booking of another organization, or addressed to another member, is not found.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.ts';
import { DURATIONS, MAX_HORIZON_DAYS } from '../../domain/slots.ts';
import { isIanaZone } from '../../domain/working-day.ts';
import { book, SlotTaken } from '../../services/booking.ts';
import { cancelInterview, moveInterview } from '../../services/booking-changes.ts';
import type { AppContext } from '../../services/context.ts';
import {
  CONVERSATION_PROPOSALS,
  changeSchedulingSettings,
  conversationProposals,
  EXPIRY_WEEKS,
  memberProposals,
  propose,
  readProposal,
  schedulingSettingsOf,
} from '../../services/scheduling.ts';
import { memberOf, personOf, userOf } from '../auth.ts';
import {
  BOOKED,
  BOOKED_FOR_GRACE,
  BOOKING,
  MOVED,
  PROPOSAL,
  PROPOSE_AFTERNOONS,
  PROPOSE_THREE,
  PROPOSED,
  SETTINGS,
  SLOTS,
  slotsIn,
} from '../examples/scheduling.ts';
import { withExamples } from '../examples/world.ts';
import { ErrorBody, errors, Timestamp, Uuid } from '../schemas.ts';

const Clock = Type.String({
  pattern: '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$',
  description: 'HH:MM, 24-hour',
});
const Zone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'An IANA time zone, such as Europe/Berlin',
});
const Instant = Type.String({ format: 'date-time', maxLength: 40 });

const WorkingHours = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      description: 'ISO weekdays: 1 = Monday … 7 = Sunday',
    }),
    start: Clock,
    end: Clock,
  },
  { additionalProperties: false },
);

const ProposingFields = {
  timeZone: Zone,
  workingHours: WorkingHours,
  minimumNoticeMinutes: Type.Integer({ minimum: 0, maximum: MAX_HORIZON_DAYS * 24 * 60 }),
  bufferBeforeMinutes: Type.Integer({ minimum: 0, maximum: 120 }),
  bufferAfterMinutes: Type.Integer({ minimum: 0, maximum: 120 }),
  dailyCap: Type.Union([Type.Integer({ minimum: 1, maximum: 50 }), Type.Null()]),
};

const Settings = withExamples(
  Type.Object(
    {
      ...ProposingFields,
      changeCutoffMinutes: Type.Integer({ minimum: 0, maximum: 7 * 24 * 60 }),
      maxReschedules: Type.Integer({ minimum: 0, maximum: 10 }),
    },
    { additionalProperties: false },
  ),
  SETTINGS,
);

const Conference = Type.Union([
  Type.Object({
    status: Type.Enum(['ready', 'pending', 'failed']),
    url: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Null(),
]);

const BookingView = Type.Object({
  id: Uuid,
  proposalId: Uuid,
  conversationId: Uuid,
  status: Type.Enum(['held', 'booked', 'cancelled']),
  start: Timestamp,
  end: Timestamp,
  candidateTimeZone: Type.String(),
  recruiterTimeZone: Type.String(),
  candidateTime: Type.String(),
  recruiterTime: Type.String(),
  conference: Conference,
  eventId: Type.Union([Type.String(), Type.Null()]),
  iCalUid: Type.Union([Type.String(), Type.Null()]),
  rescheduleCount: Type.Integer(),
  reschedulesLeft: Type.Integer(),
  changeableUntil: Timestamp,
});

const SlotView = Type.Object({
  start: Timestamp,
  end: Timestamp,
  local: Type.String({ description: 'The time in the zone asked for' }),
  recruiter: Type.String({ description: "The time in the recruiter's zone" }),
});

const ProposalView = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  status: Type.Enum(['open', 'booked', 'closed', 'expired']),
  durationMinutes: Type.Integer(),
  recruiterTimeZone: Type.String(),
  timeZone: Type.String(),
  expiresAt: Timestamp,
  link: Type.String(),
  slots: Type.Array(SlotView),
  booking: Type.Union([BookingView, Type.Null()]),
});

/** Any 409; when the time was taken, with the offered times that are still free. */
const Taken = Type.Object({
  error: ErrorBody.properties.error,
  remaining: Type.Optional(Type.Array(SlotView)),
});
const Outcome = Type.Object({ booking: BookingView, notice: Type.Union([Type.String(), Type.Null()]) });
const Params = Type.Object({ id: Uuid });
const NewTime = withExamples(Type.Object({ start: Instant }, { additionalProperties: false }), {
  start: '2026-03-11T08:30:00.000Z',
});

function zoneOf(value: string | undefined): string | undefined {
  if (value !== undefined && !isIanaZone(value)) {
    throw new AppError('validation_failed', `timeZone: "${value}" is not an IANA time zone`, [
      { field: 'timeZone', message: 'is not an IANA time zone (such as Europe/Berlin)' },
    ]);
  }
  return value;
}

export const schedulingRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (
  app,
  { context },
) => {
  app.get(
    '/api/me/scheduling',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Your scheduling settings (defaults for proposals, limits on candidate changes)',
        response: { 200: Settings, ...errors(401, 403) },
      },
    },
    async (request) => schedulingSettingsOf(context, userOf(request)),
  );

  app.put(
    '/api/me/scheduling',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Replace your scheduling settings',
        body: Settings,
        response: { 200: Settings, ...errors(400, 401, 403) },
      },
    },
    async (request) => changeSchedulingSettings(context, userOf(request), request.body),
  );

  app.post(
    '/api/inmail/conversations/:id/proposals',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Propose interview times from your calendar in one of your conversations',
        params: Params,
        body: withExamples(
          Type.Object(
            {
              // Unsafe: a union mapped from an array has no static type of its own (TypeBox infers never).
              durationMinutes: Type.Unsafe<(typeof DURATIONS)[number]>(
                Type.Union(DURATIONS.map((minutes) => Type.Literal(minutes))),
              ),
              horizonDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HORIZON_DAYS })),
              expiresInWeeks: Type.Optional(
                Type.Unsafe<(typeof EXPIRY_WEEKS)[number]>(
                  Type.Union(EXPIRY_WEEKS.map((weeks) => Type.Literal(weeks))),
                ),
              ),
              maxSlots: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
              overrides: Type.Optional(
                Type.Partial(Type.Object(ProposingFields), { additionalProperties: false }),
              ),
            },
            { additionalProperties: false },
          ),
          PROPOSE_THREE,
          PROPOSE_AFTERNOONS,
        ),
        response: {
          201: withExamples(
            Type.Object({
              proposal: ProposalView,
              hidden: Type.Array(
                Type.Object({
                  start: Timestamp,
                  end: Timestamp,
                  reason: Type.Enum(['busy', 'outside_working_hours', 'too_soon', 'buffer', 'daily_cap']),
                }),
              ),
              hiddenTruncated: Type.Boolean(),
            }),
            PROPOSED,
          ),
          ...errors(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await propose(context, userOf(request), request.params.id, request.body)),
  );

  app.get(
    '/api/inmail/conversations/:id/proposals',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['scheduling'],
        summary: `The proposals made in a conversation of your organization, newest first (at most ${CONVERSATION_PROPOSALS}), in the recruiter's zone`,
        params: Params,
        response: {
          200: withExamples(Type.Object({ proposals: Type.Array(ProposalView) }), { proposals: [BOOKED] }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      proposals: await conversationProposals(context, userOf(request), request.params.id),
    }),
  );

  app.get(
    '/api/proposals/:id',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['scheduling'],
        summary: 'A proposal: its open times in your zone (and the recruiter’s), and its booking',
        params: Params,
        querystring: Type.Object({ timeZone: Type.Optional(Zone) }, { additionalProperties: false }),
        response: {
          200: withExamples(ProposalView, {
            ...PROPOSAL,
            timeZone: 'Europe/London',
            slots: slotsIn('Europe/London'),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      readProposal(context, personOf(request), request.params.id, zoneOf(request.query.timeZone)),
  );

  app.get(
    '/api/me/proposals',
    {
      config: { allow: ['member'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Your interview proposals, newest first, in every organization, in your zone',
        querystring: Type.Object(
          {
            timeZone: Type.Optional(Zone),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: withExamples(Type.Object({ proposals: Type.Array(ProposalView) }), {
            proposals: [BOOKED_FOR_GRACE],
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => ({
      proposals: await memberProposals(
        context,
        memberOf(request),
        zoneOf(request.query.timeZone) ?? 'UTC',
        request.query.limit ?? 20,
      ),
    }),
  );

  app.post(
    '/api/proposals/:id/book',
    {
      config: { allow: ['member'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Book one of the offered times (the candidate of the conversation)',
        params: Params,
        body: withExamples(
          Type.Object({ start: Instant, timeZone: Type.Optional(Zone) }, { additionalProperties: false }),
          { start: SLOTS[0][0], timeZone: 'Europe/London' },
        ),
        response: {
          201: withExamples(Outcome, { booking: BOOKING, notice: null }),
          409: Taken,
          ...errors(400, 401, 403, 404, 410, 503),
        },
      },
    },
    async (request, reply) => {
      const timeZone = zoneOf(request.body.timeZone) ?? 'UTC';
      try {
        const outcome = await book(context, memberOf(request), request.params.id, {
          start: new Date(request.body.start),
          timeZone,
        });
        return reply.status(201).send(outcome);
      } catch (error) {
        if (!(error instanceof SlotTaken)) throw error;
        return reply
          .status(409)
          .send({ error: { code: error.code, message: error.message }, remaining: error.remaining });
      }
    },
  );

  app.post(
    '/api/bookings/:id/cancel',
    {
      config: { allow: ['user', 'member'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Cancel an interview: its recruiter, or its candidate up to the cutoff',
        params: Params,
        response: {
          200: withExamples(BookingView, { ...BOOKING, status: 'cancelled' }),
          ...errors(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request) => cancelInterview(context, personOf(request), request.params.id),
  );

  app.post(
    '/api/bookings/:id/move',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Move your interview to another start (the same event, link and invitation)',
        params: Params,
        body: NewTime,
        response: { 200: withExamples(BookingView, MOVED), ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) =>
      moveInterview(context, userOf(request), request.params.id, new Date(request.body.start)),
  );

  app.post(
    '/api/bookings/:id/reschedule',
    {
      config: { allow: ['member'] },
      schema: {
        tags: ['scheduling'],
        summary: 'Reschedule your interview (up to the cutoff, a limited number of times)',
        params: Params,
        body: NewTime,
        response: {
          200: withExamples(BookingView, { ...MOVED, rescheduleCount: 1, reschedulesLeft: 1 }),
          ...errors(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request) =>
      moveInterview(context, memberOf(request), request.params.id, new Date(request.body.start)),
  );
};
