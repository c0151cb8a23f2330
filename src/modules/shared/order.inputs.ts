import { Field, InputType, registerEnumType } from 'type-graphql';

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection', description: 'Ascending or descending.' });

export enum NamedOrderField {
  CREATED_AT = 'CREATED_AT',
  NAME = 'NAME',
}
registerEnumType(NamedOrderField, { name: 'NamedOrderField', description: 'Sort by creation time or by name.' });

@InputType({ description: 'Sort order for lists of named objects (datasets, models).' })
export class NamedOrder {
  @Field(() => NamedOrderField, { defaultValue: NamedOrderField.CREATED_AT, description: 'What to sort by.' })
  field!: NamedOrderField;

  @Field(() => SortDirection, { defaultValue: SortDirection.DESC, description: 'Direction; newest first by default.' })
  direction!: SortDirection;
}
