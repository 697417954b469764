/**
 * A member as the operator's directory feed describes it: one schema, used by the HTTP API and by the
 * JSON Lines import alike, so both accept and refuse exactly the same records.
 */
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { parseDisplayName } from './display-name.ts';
import { isEmailAddress, normalizeEmail } from './email.ts';
import type { FieldProblem } from './errors.ts';
import { DISCOVERABILITY } from './principal.ts';
import { isStorable } from './storable.ts';

export const MAX_EMAILS_PER_MEMBER = 20;

export const MemberInputSchema = Type.Object(
  {
    externalId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The platform's own id for this member." }),
    ),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    headline: Type.Optional(Type.String({ maxLength: 500 })),
    emails: Type.Array(Type.String({ minLength: 3, maxLength: 254 }), {
      minItems: 1,
      maxItems: MAX_EMAILS_PER_MEMBER,
    }),
    discoverability: Type.Enum([...DISCOVERABILITY], {
      description: 'Who can discover this member by email address; only `anyone` allows sync (R10).',
    }),
  },
  { additionalProperties: false },
);

export type MemberInput = Static<typeof MemberInputSchema>;

/**
 * A valid member record with its addresses in display and comparison (R10) forms, duplicates removed;
 * `index` is an address's place in the input, so problems can name it without repeating it.
 */
export interface NormalizedMember extends Omit<MemberInput, 'emails'> {
  emails: { address: string; normalized: string; index: number }[];
}

const checker = Compile(MemberInputSchema);

/** Validates an untrusted record; on failure, the problems name the offending field. */
export function parseMemberInput(
  value: unknown,
): { ok: true; member: NormalizedMember } | { ok: false; problems: FieldProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return {
      ok: false,
      problems: [{ field: '(record)', message: `must be one JSON object {"name", "emails", …}, got ${got}` }],
    };
  }
  if (!checker.Check(value)) {
    const problems = [...checker.Errors(value)]
      .filter((error) => !['anyOf', 'boolean'].includes(error.keyword))
      .map((error) => ({
        field: fieldName(error.instancePath, error.params),
        message: messageOf(error.keyword, error.message),
      }));
    return { ok: false, problems };
  }
  // Problems name an address by its place, never by its text: they end up in import reports and logs.
  const problems: FieldProblem[] = value.emails.flatMap((address, index) =>
    isEmailAddress(address) ? [] : [{ field: `emails.${index}`, message: 'is not an email address' }],
  );
  for (const field of ['externalId', 'headline'] as const) {
    const text = value[field];
    // Checked here so that the database refusing a record of the import stays the rare case.
    if (text !== undefined && !isStorable(text)) problems.push({ field, message: UNSTORABLE });
  }
  const name = parseDisplayName(value.name);
  if (!name.ok) problems.unshift({ field: 'name', message: name.message });
  if (problems.length > 0 || !name.ok) return { ok: false, problems };
  const seen = new Set<string>();
  const emails: NormalizedMember['emails'] = [];
  for (const [index, raw] of value.emails.entries()) {
    const normalized = normalizeEmail(raw);
    if (seen.has(normalized)) continue;
    seen.add(normalized);
    emails.push({ address: raw.trim(), normalized, index });
  }
  return { ok: true, member: { ...value, name: name.name, emails } };
}

/** Says what is allowed where the schema only says that something is not. */
function messageOf(keyword: string, message: string): string {
  if (keyword === 'required') return 'is required';
  if (keyword === 'enum') return `must be one of ${DISCOVERABILITY.join(', ')}`;
  return message;
}

const UNSTORABLE = 'must not contain NUL characters or unpaired surrogates';

function fieldName(instancePath: string, params: unknown): string {
  const named = params as { additionalProperties?: string[]; requiredProperties?: string[] };
  const extra = named.additionalProperties ?? named.requiredProperties;
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (extra?.length) return [path, extra[0]].filter(Boolean).join('.');
  return path || '(record)';
}
