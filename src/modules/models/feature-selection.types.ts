import { ArrayMaxSize, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FeatureSelectionMethod } from '../../ml/model-spec';

export { FeatureSelectionMethod };
registerEnumType(FeatureSelectionMethod, {
  name: 'FeatureSelectionMethod',
  description: 'How a training run chooses its features, fitted on the training split only.',
  valuesConfig: {
    IMPORTANCE: { description: 'By the split gain of a quick random forest (50 trees) on the training split.' },
    MUTUAL_INFORMATION: { description: 'By mutual information with the target (numbers in 10 equal-frequency bins).' },
    CORRELATION_FILTER: { description: 'Drops the less target-correlated of each pair correlated above `threshold` (default 0.9), then ranks by |correlation| (correlation ratio for categories) with the target.' },
  },
});

@InputType({ description: 'Keeps the best features, chosen on the training split only. The version then needs only those; predict ignores the others and says so.' })
export class FeatureSelectionInput {
  @Field(() => FeatureSelectionMethod)
  method!: FeatureSelectionMethod;

  @Field(() => Int, { description: 'How many features to keep: 1 to the model\'s feature count.' })
  @IsInt() @Min(1) @Max(500)
  keep!: number;

  @Field(() => Float, { nullable: true, description: 'CORRELATION_FILTER: the |correlation| above which one of a pair is dropped (0 to 1, default 0.9). IMPORTANCE and MUTUAL_INFORMATION: the least score a kept feature needs (fewer than `keep` may remain).' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1e6)
  threshold?: number | null;
}

@ObjectType({ description: 'A feature\'s score in a feature selection.' })
export class FeatureScore {
  @Field() feature!: string;
  @Field(() => Float) score!: number;
}

@ObjectType({ description: 'The feature selection a version was trained with.' })
export class FeatureSelectionResult {
  @Field(() => FeatureSelectionMethod) method!: FeatureSelectionMethod;
  @Field(() => [String], { description: 'The features kept, best first: the only ones the version needs.' }) kept!: string[];
  @Field(() => [FeatureScore], { description: 'Every candidate\'s score on the training split, best first.' })
  @ArrayMaxSize(500)
  scores!: FeatureScore[];
}

@ObjectType({ description: 'The feature selection a run asked for.' })
export class FeatureSelectionRequest {
  @Field(() => FeatureSelectionMethod) method!: FeatureSelectionMethod;
  @Field(() => Int) keep!: number;
  @Field(() => Float, { nullable: true }) threshold!: number | null;
}
