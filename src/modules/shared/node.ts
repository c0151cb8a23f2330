import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay's Node: any object with a global id, fetchable with `node(id)` and `nodes(ids)`. The
 * concrete type is found by class (type-graphql's default): every node is an entity instance.
 */
@InterfaceType({
  description: 'An object with a global id. Ids are opaque: a type prefix and a time-sortable ULID, e.g. `ds_01J…`.',
})
export abstract class Node {
  @Field(() => ID, { description: 'Global, opaque, time-sortable id.' })
  id!: string;
}
