import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { badInput } from '../../core/errors';
import type { Context } from './context';
import { Node } from './node';
import { Roles } from './role';

const MAX_NODES = 100;

/** `node` and `nodes`: every module's node types, through the lookup the server derives from the registry. */
@Resolver()
export class NodeResolver {
  @Authorized(...Roles.READERS)
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when there is none.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() { nodes }: Context): Promise<Node | null> {
    return (await nodes.load(id)) as Node | null;
  }

  @Authorized(...Roles.READERS)
  @Query(() => [Node], { nullable: 'items', description: `Many objects by id in one round trip (at most ${MAX_NODES}), in the order asked; null where an id names nothing. One statement per type.` })
  async nodes(@Arg('ids', () => [ID]) ids: string[], @Ctx() { nodes }: Context): Promise<(Node | null)[]> {
    if (ids.length > MAX_NODES) throw badInput(`ids may name at most ${MAX_NODES} objects, got ${ids.length}`, { field: 'ids' });
    return (await Promise.all(ids.map((id) => nodes.load(id)))) as (Node | null)[];
  }
}
