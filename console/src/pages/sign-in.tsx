import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { ErrorBox } from '../ui/components';

/** The key form: the key is checked with `viewer` before it is kept (in this tab only). */
export function SignIn({ onSignIn, initialError }: { onSignIn(key: string): Promise<ApiError | null>; initialError: ApiError | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError | null>(initialError);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(await onSignIn(key.trim()));
    setBusy(false);
  };
  return (
    <main id="main" class="sign-in">
      <h1>aimass console</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        <p class="muted">The key stays in this browser tab (session storage) and goes only to this server. The console shows what the key’s role may use.</p>
        <button type="submit" disabled={busy || !key.trim()}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}
