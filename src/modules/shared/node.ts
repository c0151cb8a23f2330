import { Field, ID, InterfaceType } from 'type-graphql';
import { typeOfId } from '../../core/ids';

/** Relay's Node: any object with a global id, fetchable with `node(id)` and `nodes(ids)`. */
@InterfaceType({
  description: 'An object with a global id. Ids are opaque: a type prefix and a time-sortable ULID, e.g. `ds_01J…`.',
  resolveType: (value: { id: string }) => typeOfId(value.id) ?? undefined,
})
export abstract class Node {
  @Field(() => ID, { description: 'Global, opaque, time-sortable id.' })
  id!: string;
}
