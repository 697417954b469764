/**
 * A candidate's home: who they are and which addresses are theirs, who may find them by email (and so
 * whether their mail syncs, R10, R16), their InMail conversations, and their interview proposals (R18).
 */
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { DiscoverabilityControl } from '../components/member/Discoverability.tsx';
import { Interviews } from '../components/member/Interviews.tsx';
import { Empty, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';
import { pathTo } from '../paths.ts';
import { useSession } from '../session.tsx';

export function MemberHome() {
  const { session } = useSession();
  const conversations = useLoad(() => api('GET /api/inmail/conversations', { query: { limit: 50 } }), []);
  if (session.state !== 'signed-in' || session.me.kind !== 'member') return null;
  const { member } = session.me;
  return (
    <section className="narrow member">
      <h1>Hello, {member.name}</h1>
      <dl className="facts card">
        <dt>Headline</dt>
        <dd>{member.headline || '—'}</dd>
        <dt>Email addresses</dt>
        <dd>
          <ul className="addresses">
            {member.emails.map((email) => (
              <li key={email}>{email}</li>
            ))}
          </ul>
        </dd>
      </dl>

      <h2>Who can find me</h2>
      <DiscoverabilityControl current={member.discoverability} since={member.discoverabilityChangedAt} />

      <h2>Interviews</h2>
      <Show loaded={conversations} what="your conversations">
        {({ conversations: list }) => <Interviews conversations={list} />}
      </Show>

      <h2>InMail</h2>
      <Show loaded={conversations} what="your conversations">
        {({ conversations: list }) =>
          list.length === 0 ? (
            <Empty>No conversations yet. When a recruiter writes to you, it appears here.</Empty>
          ) : (
            <ul className="member-list">
              {list.map((conversation) => (
                <li key={conversation.id}>
                  <Link href={pathTo('inbox', { id: conversation.id })} className="subject">
                    {conversation.subject}
                  </Link>
                  <p className="muted">
                    {conversation.userName} · {conversation.organizationName} · last message{' '}
                    <When at={conversation.lastMessageAt} />
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </Show>

      <p>
        <Link href={pathTo('myData')}>Export or erase my synced email</Link>
      </p>
    </section>
  );
}
