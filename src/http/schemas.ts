/** Response shapes shared by several routes; each also appears once, by name, in the OpenAPI document. */
import { Type } from 'typebox';
import { DISCOVERABILITY } from '../domain/principal.ts';
import { GRACE, ORG, REX, withExamples } from './examples/world.ts';

export const ErrorBody = withExamples(
  Type.Object(
    {
      error: Type.Object({
        code: Type.String(),
        message: Type.String(),
        details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
      }),
    },
    { $id: 'Error', description: 'Every error response.' },
  ),
  {
    error: {
      code: 'validation_failed',
      message: 'email: must match format "email"',
      details: [{ field: 'email', message: 'must match format "email"' }],
    },
  },
  { error: { code: 'not_found', message: 'thread not found' } },
);

/** The error responses a route documents besides its own: most routes can meet all of these. */
export function errors(...statuses: (400 | 401 | 403 | 404 | 409 | 410 | 429 | 503)[]) {
  const ref = Type.Ref('Error');
  return Object.fromEntries(statuses.map((status) => [status, ref])) as Record<number, typeof ref>;
}

export const Uuid = Type.String({ format: 'uuid' });
/** A Date in handlers, an RFC 3339 string on the wire (the serializer converts it). */
export const Timestamp = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
export const Discoverability = Type.Enum([...DISCOVERABILITY]);

export const UserView = withExamples(
  Type.Object({
    id: Uuid,
    email: Type.String(),
    name: Type.String(),
    role: Type.Enum(['admin', 'member']),
    createdAt: Timestamp,
  }),
  REX,
);

export const OrganizationView = withExamples(
  Type.Object({ id: Uuid, name: Type.String(), primaryDomain: Type.String() }),
  ORG,
);

/** What a recruiter sees of a member: no addresses, no settings. */
export const MemberProfile = withExamples(
  Type.Object({ id: Uuid, name: Type.String(), headline: Type.String() }),
  { id: GRACE.id, name: GRACE.name, headline: GRACE.headline },
);

/** What the operator and the member themself see. */
export const MemberRecord = withExamples(
  Type.Object({
    id: Uuid,
    externalId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    headline: Type.String(),
    emails: Type.Array(Type.String()),
    discoverability: Discoverability,
    discoverabilityChangedAt: Type.Unsafe<Date>({
      ...Timestamp,
      description:
        'The member’s latest consent: when they last set their discoverability themself, or when an import changed it. After an erasure (R16) only mail from after this time syncs.',
    }),
  }),
  GRACE,
);

export const Page = { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) };

export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` to read the next page; null on the last page.',
});
