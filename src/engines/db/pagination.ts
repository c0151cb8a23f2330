import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badInput } from '../../core/errors';
import { getManyRaw } from './raw-rows';

/** `first`/`after` as a client sends them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** One page of a list, free of GraphQL; resolvers turn it into a Relay connection. */
export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Counted only when a client asks for totalCount. */
  totalCount: () => Promise<number>;
}

export const DEFAULT_PAGE_SIZE = 20;

/** Cursors are opaque to clients: base64url of the sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length) return key;
  } catch {
    // fall through to the error below
  }
  throw badInput(`after: ${JSON.stringify(cursor)} is not a cursor from this list`, { field: 'after' });
}

/** Validates `first` against the server's page size limit. */
export function pageSize(first: number | null | undefined, max: number): number {
  if (first == null) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 0 || first > max) {
    throw badInput(`first must be between 0 and ${max}, got ${first}`, { field: 'first', max });
  }
  return first;
}

export interface KeysetOrder {
  /** SQL expression of the sort column, e.g. `m.name`; omit to sort by id alone. */
  column?: string;
  /** Entity property holding that column's value, for cursors. */
  property?: string;
  direction: 'ASC' | 'DESC';
}

/**
 * Keyset pagination over `qb` (alias `alias`), ordered by `order` then id, so pages stay stable
 * while rows are added. Fetches one row more than asked to know whether another page follows.
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  args: PageArgs,
  order: KeysetOrder,
  maxPageSize: number,
): Promise<Page<T>> {
  const first = pageSize(args.first, maxPageSize);
  const counter = qb.clone();
  const cmp = order.direction === 'DESC' ? '<' : '>';
  const id = `${alias}.id`;
  if (args.after) {
    if (order.column) {
      const [value, afterId] = decodeCursor(args.after, 2);
      qb.andWhere(`(${order.column} ${cmp} :afterValue OR (${order.column} = :afterValue AND ${id} ${cmp} :afterId))`, { afterValue: value, afterId });
    } else {
      const [afterId] = decodeCursor(args.after, 1);
      qb.andWhere(`${id} ${cmp} :afterId`, { afterId });
    }
  }
  if (order.column) qb.orderBy(order.column, order.direction).addOrderBy(id, order.direction);
  else qb.orderBy(id, order.direction);
  const rows = first === 0 ? [] : await getManyRaw(qb.take(first + 1));
  const items = rows.slice(0, first);
  return {
    items,
    cursors: items.map((item) => encodeCursor(order.property ? [item[order.property], item.id] : [item.id])),
    hasNextPage: rows.length > first,
    hasPreviousPage: Boolean(args.after),
    totalCount: () => counter.getCount(),
  };
}

/** A page built from rows already in memory (e.g. a DataLoader's batch), `first + 1` of them at most. */
export function pageFromRows<T>(rows: T[], first: number, after: boolean, cursorOf: (item: T) => unknown[], totalCount: () => Promise<number>): Page<T> {
  const items = rows.slice(0, first);
  return { items, cursors: items.map((item) => encodeCursor(cursorOf(item))), hasNextPage: rows.length > first, hasPreviousPage: after, totalCount };
}

/**
 * The same paging over a list already in memory, in its order (for lists whose filter is derived
 * in code, not in SQL). A cursor holds the item's sort value and id: the page resumes after that
 * id, or, when the item has left the list, after the first item sorting past its value.
 */
export function pageOf<T extends { id: string }>(items: T[], sortValue: (item: T) => string, args: PageArgs, maxPageSize: number): Page<T> {
  const size = pageSize(args.first, maxPageSize);
  let start = 0;
  if (args.after) {
    const [value, id] = decodeCursor(args.after, 2) as [string, string];
    const at = items.findIndex((item) => item.id === id);
    start = at >= 0 ? at + 1 : items.findIndex((item) => sortValue(item).localeCompare(String(value)) > 0);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + size);
  return {
    items: slice,
    cursors: slice.map((item) => encodeCursor([sortValue(item), item.id])),
    hasNextPage: start + size < items.length,
    hasPreviousPage: start > 0,
    totalCount: async () => items.length,
  };
}
