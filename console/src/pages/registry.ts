import type { FunctionComponent } from 'preact';
import type { Route } from '../router';

/** A console page: its route, its place in the navigation (if any), and the operation it needs. */
export interface PageDefinition {
  /** First route segment: `runs` serves `#/runs/...`. */
  path: string;
  component: FunctionComponent<{ route: Route }>;
  /** Shown in the navigation with this label, in registry order. */
  nav?: string;
  /** The page is offered only to keys that may call this operation (`Query.auditLog`). */
  needs?: string;
}
