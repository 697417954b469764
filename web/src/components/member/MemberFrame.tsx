/**
 * The candidate's side of the app: their pages, and the way back to a booking link opened signed out
 * (remembered before sign-in, taken once signed in as a member).
 */
import { useEffect } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { BookingPage } from '../../pages/Booking.tsx';
import { MemberConversationPage } from '../../pages/MemberConversation.tsx';
import { MemberHome } from '../../pages/MemberHome.tsx';
import { MyDataPage } from '../../pages/MyData.tsx';
import { PAGES } from '../../paths.ts';
import { pendingReturn, rememberReturn, takeReturn } from './return-to.ts';

export function MemberFrame() {
  const [, navigate] = useLocation();
  useEffect(() => {
    const back = takeReturn();
    if (back) navigate(back, { replace: true });
  }, [navigate]);
  return (
    <Switch>
      <Route path={PAGES.home} component={MemberHome} />
      <Route path={PAGES.signIn}>
        <Redirect to={PAGES.home} replace />
      </Route>
      <Route path={PAGES.myData} component={MyDataPage} />
      <Route path={PAGES.inbox}>{(params) => <MemberConversationPage id={params.id} />}</Route>
      <Route path={PAGES.booking}>{(params) => <BookingPage id={params.id} />}</Route>
      <Route>
        <h1>Page not found</h1>
        <p>There is no page at this address.</p>
      </Route>
    </Switch>
  );
}

/** Signed out on any page: remember a booking link to come back to, then go to sign-in. */
export function RememberAndSignIn() {
  const [location] = useLocation();
  rememberReturn(location);
  return <Redirect to={PAGES.signIn} replace />;
}

/** On the sign-in page, says why when a booking link brought the visitor here. */
export function ReturnNote() {
  if (!pendingReturn()) return null;
  return (
    <p className="card return-note" role="note">
      Sign in to see your interview times. You will come back to the booking page right after.
    </p>
  );
}
