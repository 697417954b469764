/** Response shapes shared by several routes; each also appears once, by name, in the OpenAPI document. */
import { Type } from 'typebox';
import { DISCOVERABILITY } from '../domain/principal.ts';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    }),
  },
  { $id: 'Error', description: 'Every error response.' },
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

export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: Type.Enum(['admin', 'member']),
  createdAt: Timestamp,
});

export const OrganizationView = Type.Object({
  id: Uuid,
  name: Type.String(),
  primaryDomain: Type.String(),
});

/** What a recruiter sees of a member: no addresses, no settings. */
export const MemberProfile = Type.Object({ id: Uuid, name: Type.String(), headline: Type.String() });

/** What the operator and the member themself see. */
export const MemberRecord = Type.Object({
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
});

export const Page = { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) };

export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` to read the next page; null on the last page.',
});
