import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { Page } from '../../engines/db/pagination';

@ObjectType({ description: 'Where a page of a Relay connection sits in its list.' })
export class PageInfo {
  @Field({ description: 'True when another page follows; pass endCursor as `after` to get it.' })
  hasNextPage!: boolean;
  @Field({ description: 'True when this page was requested with `after`.' })
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Cursor of the first edge, null on an empty page.' })
  startCursor!: string | null;
  @Field(() => String, { nullable: true, description: 'Cursor of the last edge, null on an empty page.' })
  endCursor!: string | null;
}

/** The shape every connection class produced by connectionType has. */
export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

/**
 * Builds the `<Name>Connection` and `<Name>Edge` object types for a node type.
 * totalCount is a method, so the COUNT query runs only when a client selects it.
 */
export function connectionType<T extends object>(nodeType: ClassType<T> | (() => unknown), name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a list, with its cursor.` })
  class Edge {
    @Field({ description: 'Opaque cursor of this edge; pass it as `after`.' })
    cursor!: string;
    @Field(() => nodeType as ClassType<T>, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} objects (Relay connection).` })
  class Connection implements ConnectionShape<T> {
    @Field(() => [Edge], { description: 'The items of this page, in order.' })
    edges!: Edge[];
    @Field(() => PageInfo, { description: 'Paging information.' })
    pageInfo!: PageInfo;
    count!: () => Promise<number>;

    @Field(() => Int, { description: 'How many items the whole list holds (with the same filter).' })
    totalCount(): Promise<number> {
      return this.count();
    }

    static from(page: Page<T>): Connection {
      const connection = new Connection();
      connection.edges = page.items.map((node, i) => Object.assign(new Edge(), { node, cursor: page.cursors[i] }));
      connection.pageInfo = Object.assign(new PageInfo(), {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.cursors[0] ?? null,
        endCursor: page.cursors[page.cursors.length - 1] ?? null,
      });
      connection.count = page.totalCount;
      return connection;
    }
  }
  return Connection;
}
