import { useState } from 'preact/hooks';

/** Cursor paging: the cursors walked so far, forgotten when `resetKey` (the filters) changes. */
export interface CursorPages {
  /** The `after` of the page to show. */
  after: string | null;
  /** Pages before this one. */
  depth: number;
  back(): void;
  forward(endCursor: string): void;
}

export function useCursorPages(resetKey: string): CursorPages {
  const [stack, setStack] = useState<{ key: string; cursors: string[] }>({ key: resetKey, cursors: [] });
  const cursors = stack.key === resetKey ? stack.cursors : [];
  return {
    after: cursors[cursors.length - 1] ?? null,
    depth: cursors.length,
    back: () => setStack({ key: resetKey, cursors: cursors.slice(0, -1) }),
    forward: (endCursor) => setStack({ key: resetKey, cursors: [...cursors, endCursor] }),
  };
}

/** Previous and next buttons over a connection's pageInfo (labels for lists where "older" reads better). */
export function Pager({ pages, pageInfo, labels = ['Previous', 'Next'] }: {
  pages: CursorPages;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | null | undefined;
  labels?: [string, string];
}) {
  return (
    <div class="pager">
      {pages.depth > 0 && <button type="button" class="secondary" onClick={pages.back}>{labels[0]}</button>}
      {pageInfo?.hasNextPage && pageInfo.endCursor && <button type="button" class="secondary" onClick={() => pages.forward(pageInfo.endCursor!)}>{labels[1]}</button>}
    </div>
  );
}
