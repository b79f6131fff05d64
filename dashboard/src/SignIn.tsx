/** Sign in with an API key: it is exchanged for a session cookie and not kept anywhere in the browser. */
import { useId, useState, type FormEvent } from 'react';
import { ApiProblem, signIn } from './api';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const id = useId();
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(apiKey);
      setApiKey('');
      onSignedIn();
    } catch (caught) {
      setError(caught instanceof ApiProblem ? caught.problem.detail : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby={`${id}-title`}>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            m
          </span>
          managed.dev
        </div>
        <h1 id={`${id}-title`}>Sign in to API keys</h1>
        <p className="subtitle">Use an API key. It is exchanged for a session and never stored in this browser.</p>
        <div className="field">
          <label htmlFor={`${id}-key`} className="field-label">
            API key
          </label>
          <input
            id={`${id}-key`}
            className="input mono"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="mdk_…"
            value={apiKey}
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(event) => setApiKey(event.target.value)}
            autoFocus
          />
          {error ? (
            <p id={`${id}-error`} role="alert" className="field-errors">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button primary wide" disabled={busy || apiKey.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
