/** The app's frame: who is signed in, the navigation, and the page the address names. */
import { Route, Switch } from 'wouter';
import { PAGES } from './paths.ts';

export function App() {
  return (
    <main>
      <Switch>
        <Route path={PAGES.home}>
          <h1>talentsync</h1>
        </Route>
        <Route>
          <h1>Page not found</h1>
        </Route>
      </Switch>
    </main>
  );
}
