import { useEffect, useState } from 'preact/hooks';
import { ApiError, closeStreams, executeWith } from './api/client';
import { asApiError } from './api/hooks';
import { forgetKey, storedKey, storeKey } from './api/session';
import { ViewerContext, ViewerDocument, type ViewerInfo } from './api/viewer';
import { PAGES } from './pages';
import type { PageComponent, PageDefinition } from './pages/registry';
import { useRoute, type Route } from './router';
import { Empty, ErrorBox, Loading } from './ui/components';
import { SignIn } from './pages/sign-in';

/** Signs in (a key pasted once per tab), then shows the page the hash names, within the key's role. */
export function App() {
  const [viewer, setViewer] = useState<ViewerInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);

  const signIn = async (key: string): Promise<ApiError | null> => {
    try {
      const { viewer } = await executeWith(key, ViewerDocument);
      storeKey(key);
      setViewer(viewer);
      return null;
    } catch (failure) {
      return asApiError(failure);
    }
  };
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key).then((failure) => {
      // A refused key is forgotten; a server that cannot be reached keeps it for the next try.
      if (failure?.code === 'UNAUTHENTICATED') forgetKey();
      setError(failure);
      setChecking(false);
    });
  }, []);
  const signOut = () => {
    forgetKey();
    closeStreams();
    setViewer(null);
  };

  if (checking && !viewer) return <main id="main"><Loading what="your key" /></main>;
  if (!viewer) return <SignIn onSignIn={signIn} initialError={error} />;
  return (
    <ViewerContext.Provider value={viewer}>
      <Shell viewer={viewer} onSignOut={signOut} />
    </ViewerContext.Provider>
  );
}

function Shell({ viewer, onSignOut }: { viewer: ViewerInfo; onSignOut(): void }) {
  const route = useRoute();
  const allowed = PAGES.filter((p) => !p.needs || viewer.operations.includes(p.needs));
  const page = allowed.find((p) => p.path === (route.parts[0] ?? '')) ?? null;
  useEffect(() => {
    document.title = `${page?.nav ?? page?.path ?? 'Not found'} · aimass`;
    // Move focus to the new page's content, so keyboard and screen-reader users land there.
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.parts.join('/')]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href="#/">aimass</a>
        <nav aria-label="Pages">
          <ul>
            {allowed.filter((p) => p.nav).map((p) => (
              <li key={p.path}><a href={`#/${p.path}`} aria-current={p.path === page?.path ? 'page' : undefined}>{p.nav}</a></li>
            ))}
            <li><a href="/graphiql">GraphiQL</a></li>
          </ul>
        </nav>
        <div class="who">
          <span title={`key ${viewer.keyId}`}>{viewer.principal} · <strong>{viewer.role}</strong></span>
          <button type="button" class="link" onClick={onSignOut}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page ? <LoadedPage page={page} route={route} /> : <NotFound />}
      </main>
    </>
  );
}

const loaded = new Map<string, PageComponent>();

/** A page once its chunk has arrived (at once when it was opened before). */
function LoadedPage({ page, route }: { page: PageDefinition; route: Route }) {
  const [component, setComponent] = useState<{ page: string; render: PageComponent } | null>(() => {
    const known = loaded.get(page.path);
    return known ? { page: page.path, render: known } : null;
  });
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (loaded.has(page.path)) return setComponent({ page: page.path, render: loaded.get(page.path)! });
    let current = true;
    page.load().then(
      (render) => { loaded.set(page.path, render); if (current) setComponent({ page: page.path, render }); },
      (failure: unknown) => { if (current) setError(new ApiError(`The page could not be loaded: ${(failure as Error).message}`, 'NETWORK_ERROR')); },
    );
    return () => { current = false; };
  }, [page.path]);
  if (error) return <ErrorBox error={error} />;
  if (!component || component.page !== page.path) return <Loading what="the page" />;
  const Page = component.render;
  return <Page route={route} />;
}

function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <ErrorBox error={new ApiError('This page does not exist, or your key’s role may not open it.', 'NOT_FOUND')} />
      <Empty>Go back to the <a href="#/">models</a>.</Empty>
    </>
  );
}
