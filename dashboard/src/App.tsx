/** Signed out → sign-in page; signed in → the keys page. The session lives in an HttpOnly cookie. */
import { useCallback, useEffect, useState } from 'react';
import { currentSession, signOut, whoami, type Whoami } from './api';
import { KeysPage } from './KeysPage';
import { SignIn } from './SignIn';

type State = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'signed-in'; me: Whoami } | { kind: 'failed'; message: string };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(async () => {
    try {
      const session = await currentSession();
      setState(session ? { kind: 'signed-in', me: await whoami() } : { kind: 'signed-out' });
    } catch (error) {
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (state.kind === 'loading') return <p className="loading">Loading…</p>;
  if (state.kind === 'failed')
    return (
      <p role="alert" className="banner error">
        {state.message}
      </p>
    );
  if (state.kind === 'signed-out') return <SignIn onSignedIn={() => void load()} />;
  return (
    <>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            m
          </span>
          managed.dev
        </div>
        <nav aria-label="Account" className="topbar-right">
          <span className="who">
            Signed in as <strong>{state.me.key_name}</strong> <span className="role">{state.me.role}</span>
          </span>
          <button
            type="button"
            className="button small"
            onClick={async () => {
              await signOut();
              setState({ kind: 'signed-out' });
            }}
          >
            Sign out
          </button>
        </nav>
      </header>
      <KeysPage me={state.me} />
    </>
  );
}
