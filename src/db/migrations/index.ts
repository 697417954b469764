/** Every migration, in order. A migration, once landed, is never edited: add the next one. */
import type { Migration } from 'kysely/migration';
import * as foundation from './0001_foundation.ts';
import * as connections from './0002_connections.ts';
import * as sync from './0003_sync.ts';
import * as setAside from './0004_set_aside.ts';
import * as connectBinding from './0005_connect_binding.ts';
import * as visibility from './0006_visibility.ts';
import * as erasure from './0007_erasure.ts';
import * as search from './0008_search.ts';
import * as scheduling from './0009_scheduling.ts';
import * as exports from './0010_export.ts';
import * as historyIndexes from './0011_history_indexes.ts';
import * as sessions from './0012_sessions.ts';
import * as inmailSearch from './0013_inmail_search.ts';
import * as memberThreads from './0014_member_threads.ts';
import * as conversationProposals from './0015_conversation_proposals.ts';
import * as microsoftTenantBinding from './0016_microsoft_tenant_binding.ts';
import * as memberThreadsByStatement from './0017_member_threads_by_statement.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_connections': connections,
  '0003_sync': sync,
  '0004_set_aside': setAside,
  '0005_connect_binding': connectBinding,
  '0006_visibility': visibility,
  '0007_erasure': erasure,
  '0008_search': search,
  '0009_scheduling': scheduling,
  '0010_export': exports,
  '0011_history_indexes': historyIndexes,
  '0012_sessions': sessions,
  '0013_inmail_search': inmailSearch,
  '0014_member_threads': memberThreads,
  '0015_conversation_proposals': conversationProposals,
  '0016_microsoft_tenant_binding': microsoftTenantBinding,
  '0017_member_threads_by_statement': memberThreadsByStatement,
};
