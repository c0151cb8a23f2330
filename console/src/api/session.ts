/**
 * The API key the console signs in with. Kept in session storage: it lives as long as the tab,
 * and GraphiQL (same origin) reads it to fill in its Authorization header.
 */
const KEY = 'aimass.apiKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
