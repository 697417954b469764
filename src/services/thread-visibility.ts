/** R15: the owner of a synced thread sets who else sees it; every change is audited without content. */
import { insertAuditEvent } from '../db/audit.ts';
import { notifyLiveChange } from '../db/live-events.ts';
import { lockVisibleThread, updateThreadVisibility } from '../db/threads.ts';
import type { Viewer } from '../db/visibility.ts';
import { AppError, notFound } from '../domain/errors.ts';
import type { Visibility } from '../domain/visibility.ts';
import type { AppContext } from './context.ts';

/**
 * Sets the level of one of the viewer's threads: 404 when they cannot see it (like a missing one), 403
 * when they see it but do not own it. Admins have no say over other users' threads.
 */
export async function setThreadVisibility(
  context: AppContext,
  viewer: Viewer,
  threadId: string,
  visibility: Visibility,
): Promise<{ id: string; visibility: Visibility }> {
  return context.db.transaction().execute(async (trx) => {
    const thread = await lockVisibleThread(trx, viewer, threadId);
    if (!thread) throw notFound('thread');
    if (thread.ownerUserId !== viewer.userId) {
      throw new AppError('forbidden', 'only the owner of a thread changes who sees it');
    }
    if (thread.visibility !== visibility) {
      await updateThreadVisibility(trx, viewer.orgId, threadId, visibility);
      // Two different levels: at least one is not private, so colleagues' views change.
      await notifyLiveChange(trx, {
        orgId: viewer.orgId,
        ownerUserId: viewer.userId,
        shared: true,
        memberIds: [],
      });
      // Ids and levels only: the audit log never holds a subject, an address or a body.
      await insertAuditEvent(trx, viewer.orgId, {
        actorUserId: viewer.userId,
        action: 'thread_visibility_changed',
        details: { threadId, from: thread.visibility, to: visibility },
      });
    }
    return { id: threadId, visibility };
  });
}
