import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { graphql } from '../gql';
import type { ConsoleViewerQuery } from '../gql/graphql';

export const ViewerDocument = graphql(`
  query ConsoleViewer {
    viewer { keyId name principal role modelScope operations }
  }
`);

export type ViewerInfo = ConsoleViewerQuery['viewer'];

export const ViewerContext = createContext<ViewerInfo | null>(null);

export function useViewer(): ViewerInfo {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error('useViewer outside a signed-in console');
  return viewer;
}

/**
 * Whether the signed-in key may call an operation (`Mutation.deployModelVersion`): the server
 * lists them in `viewer.operations`, from the same role lists it enforces.
 */
export function useCan(): (operation: string) => boolean {
  const { operations } = useViewer();
  return (operation) => operations.includes(operation);
}
