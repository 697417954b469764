/** R16 erasure: an owner erases a thread; a member, or the operator for them, erases their synced mail. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../services/context.ts';
import { ERASED_PARTS, eraseMember, eraseOwnThread } from '../../services/erasure.ts';
import { memberOf, userOf } from '../auth.ts';
import { ERASURE_ID, THREAD_ID, withExamples } from '../examples/world.ts';
import { errors, Timestamp, Uuid } from '../schemas.ts';

const Erased = Type.String({ description: 'What of each message was erased.' });
const Backups = Type.Integer({
  description: 'Database backups holding erased mail age out within this many days (BACKUP_RETENTION_DAYS).',
});

const MemberErasure = Type.Object({
  erasureId: Uuid,
  at: Timestamp,
  messages: Type.Integer({ description: 'Messages erased by this run (0 when a run before erased them).' }),
  threads: Type.Integer({ description: 'Threads left empty and erased with them.' }),
  organizations: Type.Integer({ description: 'Organizations that held such mail.' }),
  erased: Erased,
  suppressed: Type.Integer({
    description:
      'Addresses kept only as keyed hashes, so no mailbox syncs them until you set discoverability to `anyone` again.',
  }),
  backupsAgeOutWithinDays: Backups,
});

const memberErasure = {
  tags: ['erasure'],
  description:
    'Erases every synced email involving any of the member’s addresses, in every organization, without touching any mailbox; irreversible, safe to repeat. Recorded without content.',
  response: {
    200: withExamples(MemberErasure, {
      erasureId: ERASURE_ID,
      at: '2026-03-20T08:00:00.000Z',
      messages: 2,
      threads: 1,
      organizations: 1,
      erased: ERASED_PARTS,
      suppressed: 1,
      backupsAgeOutWithinDays: 35,
    }),
    ...errors(400, 401, 403, 404),
  },
};

export const erasureRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.delete(
    '/api/threads/:id',
    {
      config: { allow: ['user'] },
      schema: {
        tags: ['erasure'],
        summary: 'Erase one of your synced threads (R16); your mailbox is not touched',
        description:
          'Only the owner erases (403 for a colleague who can see the thread, admins included); a thread you cannot see answers 404. Its messages never sync again. Audited without content.',
        params: Type.Object({ id: Uuid }),
        response: {
          200: withExamples(
            Type.Object({
              threadId: Uuid,
              messages: Type.Integer(),
              erased: Erased,
              backupsAgeOutWithinDays: Backups,
            }),
            { threadId: THREAD_ID, messages: 2, erased: ERASED_PARTS, backupsAgeOutWithinDays: 35 },
          ),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => eraseOwnThread(context, userOf(request), request.params.id),
  );

  app.post(
    '/api/me/erasure',
    {
      config: { allow: ['member'] },
      schema: { ...memberErasure, summary: 'Erase all synced email involving your addresses (R16)' },
    },
    async (request) => eraseMember(context, 'member', memberOf(request).memberId),
  );

  app.post(
    '/api/members/:id/erasure',
    {
      config: { allow: ['operator'] },
      schema: {
        ...memberErasure,
        summary: 'Erase all synced email involving a member’s addresses, on their behalf (operator; R16)',
        params: Type.Object({ id: Uuid }),
      },
    },
    async (request) => eraseMember(context, 'operator', request.params.id),
  );
};
