import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';

export enum FeatureType {
  NUMBER = 'NUMBER',
  BOOLEAN = 'BOOLEAN',
  DATE = 'DATE',
  CATEGORY = 'CATEGORY',
}
registerEnumType(FeatureType, { name: 'FeatureType', description: 'The type predict expects for a feature: NUMBER (number or numeric text), BOOLEAN (true/false, 0/1, yes/no), DATE (ISO text), CATEGORY (one of the training categories).' });

@ObjectType({ description: 'One input of a model version, as predict validates it.' })
export class SignatureFeature {
  @Field()
  name!: string;
  @Field(() => FeatureType)
  type!: FeatureType;
  @Field(() => [String], { nullable: true, description: 'CATEGORY: the values seen in training; anything else is refused.' })
  categories!: string[] | null;
  @Field(() => Float, { nullable: true, description: 'Smallest value seen in training (DATE: days since 1970-01-01). Informational: values outside the range are accepted.' })
  min!: number | null;
  @Field(() => Float, { nullable: true, description: 'Largest value seen in training.' })
  max!: number | null;
  @Field(() => Float, { nullable: true, description: 'Training mean: what a null value is imputed with.' })
  mean!: number | null;
}

@ObjectType({ description: 'What predict accepts for a model version: its features in order, with types, categories and training ranges.' })
export class InputSignature {
  @Field(() => [SignatureFeature])
  features!: SignatureFeature[];
}
