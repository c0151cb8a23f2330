import { ArgsType, Field, Int } from 'type-graphql';

/** `first`/`after` for every connection field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'How many items to return (default 20, at most MAX_PAGE_SIZE, 100 by default).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return the items after this cursor (a previous page\'s endCursor).' })
  after?: string | null;
}
