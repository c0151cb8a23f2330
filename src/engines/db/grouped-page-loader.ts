import DataLoader from 'dataloader';
import { In, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { Database } from './database';
import { getManyRaw } from './raw-rows';
import { decodeCursor, pageFromRows, pageSize, type Page, type PageArgs } from './pagination';

/** How a child table hangs off its parent, e.g. model_version.model_id ordered by version. */
export interface GroupedListSpec<T> {
  entity: EntityTarget<T>;
  table: string;
  parentColumn: string;
  parentProperty: keyof T & string;
  orderColumn: string;
  orderProperty: keyof T & string;
  direction: 'ASC' | 'DESC';
}

/**
 * A DataLoader answering "page `args` of the children of each parent" for a whole list of parents
 * in ONE statement: a window function numbers each parent's children and keeps the first
 * `first + 1`. The order column must be unique within a parent (e.g. a version number).
 */
export function groupedPageLoader<T extends ObjectLiteral>(db: Database, spec: GroupedListSpec<T>, args: PageArgs, maxPageSize: number, counts: DataLoader<string, number>) {
  const first = pageSize(args.first, maxPageSize);
  const after = args.after ? decodeCursor(args.after, 1)[0] : undefined;
  const cmp = spec.direction === 'DESC' ? '<' : '>';
  return new DataLoader<string, Page<T>>(async (parentIds) => {
    let rows: T[] = [];
    if (first > 0) {
      const afterClause = after === undefined ? '' : `AND ${spec.orderColumn} ${cmp} :after`;
      rows = await getManyRaw(db.manager
        .createQueryBuilder(spec.entity, 'e')
        .where(
          `e.id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY ${spec.parentColumn} ORDER BY ${spec.orderColumn} ${spec.direction}) AS rn
             FROM ${spec.table} WHERE ${spec.parentColumn} IN (:...parentIds) ${afterClause}) ranked WHERE rn <= :limit)`,
          { parentIds: [...parentIds], after, limit: first + 1 },
        ));
    }
    const sign = spec.direction === 'DESC' ? -1 : 1;
    rows.sort((a, b) => sign * (a[spec.orderProperty] < b[spec.orderProperty] ? -1 : a[spec.orderProperty] > b[spec.orderProperty] ? 1 : 0));
    const byParent = new Map<string, T[]>(parentIds.map((id) => [id, []]));
    for (const row of rows) byParent.get(row[spec.parentProperty])?.push(row);
    return parentIds.map((id) =>
      pageFromRows(byParent.get(id)!, first, after !== undefined, (row) => [row[spec.orderProperty]], () => counts.load(id)),
    );
  });
}

/**
 * One groupedPageLoader per distinct `first`/`after` in a request (a list query asks the same page
 * of every parent, so there is usually one), created on first use.
 */
export function pageLoaders<T extends ObjectLiteral>(db: Database, spec: GroupedListSpec<T>, maxPageSize: number, counts: DataLoader<string, number>) {
  const loaders = new Map<string, DataLoader<string, Page<T>>>();
  return (args: PageArgs): DataLoader<string, Page<T>> => {
    const key = JSON.stringify([args.first ?? null, args.after ?? null]);
    let loader = loaders.get(key);
    if (!loader) {
      loader = groupedPageLoader(db, spec, args, maxPageSize, counts);
      loaders.set(key, loader);
    }
    return loader;
  };
}

/** Counts the children of many parents in one GROUP BY statement. */
export function groupedCountLoader(db: Database, table: string, parentColumn: string) {
  return new DataLoader<string, number>(async (parentIds) => {
    const rows: { parent: string; n: number | string }[] = await db.dataSource.query(
      `SELECT ${parentColumn} AS parent, COUNT(*) AS n FROM ${table} WHERE ${parentColumn} IN (${parentIds.map(() => '?').join(', ')}) GROUP BY ${parentColumn}`,
      [...parentIds],
    );
    const counts = new Map(rows.map((row) => [row.parent, Number(row.n)]));
    return parentIds.map((id) => counts.get(id) ?? 0);
  });
}

/** Loads entities by id, one `IN` statement per batch; missing ids resolve to null. */
export function byIdLoader<T extends ObjectLiteral & { id: string }>(db: Database, entity: EntityTarget<T>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await db.manager.findBy(entity, { id: In([...ids]) } as never);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
