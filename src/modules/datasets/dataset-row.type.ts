import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../shared/connection';

@ObjectType({ description: 'One row of a dataset version.' })
export class DatasetRow {
  @Field(() => Int, { description: 'Position in the version, from 0.' })
  index!: number;

  @Field(() => GraphQLJSONObject, { description: 'Values keyed by column name, typed by the column: numbers, booleans, ISO dates, strings or null.' })
  values!: Record<string, unknown>;
}

export const DatasetRowConnection = connectionType(DatasetRow, 'DatasetRow');
export type DatasetRowConnection = InstanceType<typeof DatasetRowConnection>;
