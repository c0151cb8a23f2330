import { ArgsType, Field, Int } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { NamedOrder } from '../shared/order.inputs';
import { DatasetFilter } from './dataset.inputs';

@ArgsType()
export class DatasetsArgs extends PageArgs {
  @Field(() => DatasetFilter, { nullable: true, description: 'Conditions the datasets must meet.' })
  filter?: DatasetFilter | null;

  @Field(() => NamedOrder, { nullable: true, description: 'Sort order; newest first by default.' })
  orderBy?: NamedOrder | null;
}

@ArgsType()
export class DatasetRowsArgs extends PageArgs {
  @Field(() => Int, { nullable: true, description: 'Which version to read; the latest when omitted.' })
  version?: number | null;
}
