/** The app's frame: who is signed in, the navigation, and the page the address names. */
import type { ReactNode } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { api } from './api/client.ts';
import { MemberFrame, RememberAndSignIn, ReturnNote } from './components/member/MemberFrame.tsx';
import { Loading, Problem } from './components/Status.tsx';
import { useLoad } from './components/useLoad.ts';
import { AuditPage } from './pages/Audit.tsx';
import { CandidatePage } from './pages/Candidate.tsx';
import { CandidatesPage } from './pages/Candidates.tsx';
import { DemoMailPage } from './pages/DemoMail.tsx';
import { IntegrationPage } from './pages/Integration.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { ThreadPage } from './pages/Thread.tsx';
import { ThreadsPage } from './pages/Threads.tsx';
import { PAGES } from './paths.ts';
import { SessionProvider, useSession } from './session.tsx';

export function App() {
  return (
    <SessionProvider>
      <Frame />
    </SessionProvider>
  );
}

function Frame() {
  const { session } = useSession();
  if (session.state === 'loading')
    return (
      <Shell>
        <Loading what="talentsync" />
      </Shell>
    );
  if (session.state === 'error')
    return (
      <Shell>
        <Problem message={`talentsync cannot be reached: ${session.message}`} />
      </Shell>
    );
  if (session.state === 'signed-out') {
    return (
      <Shell>
        <Switch>
          <Route path={PAGES.signIn}>
            <ReturnNote />
            <SignInPage />
          </Route>
          <Route>
            <RememberAndSignIn />
          </Route>
        </Switch>
      </Shell>
    );
  }
  const { me } = session;
  if (me.kind === 'member') {
    return (
      <Shell
        nav={
          <>
            <NavLink to={PAGES.home}>Home</NavLink>
            <NavLink to={PAGES.myData}>My data</NavLink>
            <span className="who">{me.member.name}</span>
            <SignOut />
          </>
        }
      >
        <MemberFrame />
      </Shell>
    );
  }
  if (me.kind !== 'user') {
    return (
      <Shell nav={<SignOut />}>
        <Problem message="This sign-in has no pages in the app." />
      </Shell>
    );
  }
  const admin = me.user.role === 'admin';
  return (
    <Shell
      nav={
        <>
          <NavLink to={PAGES.threads}>Threads</NavLink>
          <NavLink to={PAGES.candidates}>Candidates</NavLink>
          <NavLink to={PAGES.integration}>My integration</NavLink>
          {admin && <NavLink to={PAGES.settings}>Settings</NavLink>}
          <DemoNavLink />
          {admin && <NavLink to={PAGES.audit}>Audit log</NavLink>}
          <span className="who">
            {me.user.name} · {me.organization.name}
          </span>
          <SignOut />
        </>
      }
    >
      <Switch>
        <Route path={PAGES.home}>
          <Redirect to={PAGES.threads} replace />
        </Route>
        <Route path={PAGES.signIn}>
          <Redirect to={PAGES.threads} replace />
        </Route>
        <Route path={PAGES.threads} component={ThreadsPage} />
        <Route path={PAGES.thread}>{(params) => <ThreadPage id={params.id} />}</Route>
        <Route path={PAGES.candidates} component={CandidatesPage} />
        <Route path={PAGES.candidate}>{(params) => <CandidatePage id={params.id} />}</Route>
        <Route path={PAGES.integration} component={IntegrationPage} />
        <Route path={PAGES.demoMail} component={DemoMailPage} />
        <Route path={PAGES.settings}>
          {admin ? <SettingsPage /> : <Problem message="Settings are for admins." />}
        </Route>
        <Route path={PAGES.audit}>
          {admin ? <AuditPage /> : <Problem message="The audit log is for admins." />}
        </Route>
        <Route path={PAGES.booking}>
          <h1>A candidate’s booking page</h1>
          <p>
            This link is for the candidate: they open it signed in as themself to pick a time. You see the
            booking in the conversation and in your calendar.
          </p>
        </Route>
        <Route>
          <h1>Page not found</h1>
          <p>There is no page at this address.</p>
        </Route>
      </Switch>
    </Shell>
  );
}

function Shell({ nav, children }: { nav?: ReactNode; children: ReactNode }) {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span className="brand">talentsync</span>
        {nav && <nav aria-label="Main">{nav}</nav>}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const [location] = useLocation();
  const current = location === to || location.startsWith(`${to}/`);
  return (
    <Link href={to} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

/** The sandbox mail panel's link, in the demo only (its routes answer 404 elsewhere). */
function DemoNavLink() {
  const demo = useLoad(
    () =>
      api('GET /api/demo/people').then(
        () => true,
        () => false,
      ),
    [],
  );
  return demo.state === 'done' && demo.data ? <NavLink to={PAGES.demoMail}>Sandbox mail</NavLink> : null;
}

function SignOut() {
  const { signOut } = useSession();
  return (
    <button type="button" className="link" onClick={() => void signOut()}>
      Sign out
    </button>
  );
}
