import type { FunctionComponent } from 'preact';
import type { Route } from '../router';

export type PageComponent = FunctionComponent<{ route: Route }>;

/** A console page: its route, its place in the navigation (if any), and the operation it needs. */
export interface PageDefinition {
  /** First route segment: `runs` serves `#/runs/...`. */
  path: string;
  /**
   * Loads the page's code: a separate chunk per page, fetched the first time the page opens, so
   * the first page does not wait for the charts and forms of all the others.
   */
  load: () => Promise<PageComponent>;
  /** Shown in the navigation with this label, in registry order. */
  nav?: string;
  /** The page is offered only to keys that may call this operation (`Query.auditLog`). */
  needs?: string;
}
