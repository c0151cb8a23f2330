import { useEffect, useState } from 'preact/hooks';

/** Where the console is: `#/runs/42?names=loss` is { parts: ['runs', '42'], query: names=loss }. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

/** Hash routes: the server serves one page at `/`, and a reload keeps the place. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** The href of a console page. */
export function href(...parts: (string | number)[]): string {
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}`;
}

export function navigate(to: string): void {
  location.hash = to.replace(/^#/, '');
}
