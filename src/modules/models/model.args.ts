import { ArgsType, Field } from 'type-graphql';
import { NamedOrder } from '../shared/order.inputs';
import { PageArgs } from '../shared/page.args';
import { ModelFilter } from './model.inputs';

@ArgsType()
export class ModelsArgs extends PageArgs {
  @Field(() => ModelFilter, { nullable: true, description: 'Conditions the models must meet; archived models are left out unless includeArchived.' })
  filter?: ModelFilter | null;

  @Field(() => NamedOrder, { nullable: true, description: 'Sort order; newest first by default.' })
  orderBy?: NamedOrder | null;
}
