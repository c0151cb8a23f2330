import { ArrayMaxSize, ArrayMinSize, IsNumber, IsOptional, MaxLength, ValidateNested } from 'class-validator';
import { Column, Entity } from 'typeorm';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IdColumn, JsonColumn, RefColumn, TimeColumn } from '../../engines/db/entity-columns';
import { Node } from '../shared/node';

export enum PerturbationKind { NOISE = 'NOISE', MISSING = 'MISSING', CATEGORY_FLIP = 'CATEGORY_FLIP', STRESS = 'STRESS' }
registerEnumType(PerturbationKind, {
  name: 'PerturbationKind',
  description: 'NOISE: Gaussian noise of scale × the feature\'s standard deviation on numeric features. MISSING: each value blanked with probability scale (the model imputes it). CATEGORY_FLIP: each category replaced by another with probability scale. STRESS: the named changes (multiply, add), e.g. income × 0.7 and amount × 1.5.',
});

@InputType()
export class StressChangeInput {
  @Field() @MaxLength(200) feature!: string;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) multiply?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) add?: number | null;
}

@InputType({ description: 'One perturbation of the rows.' })
export class ScenarioInput {
  @Field({ description: 'Its name in the report, at most 100 characters.' }) @MaxLength(100) name!: string;
  @Field(() => PerturbationKind) kind!: PerturbationKind;
  @Field(() => Float, { defaultValue: 0, description: 'NOISE: standard deviations (0 or more); MISSING and CATEGORY_FLIP: a rate from 0 to 1. Unused by STRESS.' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  scale!: number;
  @Field(() => [String], { nullable: true, description: 'The features it touches; every numeric (NOISE, MISSING) or category (CATEGORY_FLIP) feature when omitted.' })
  @IsOptional() @ArrayMaxSize(500)
  features?: string[] | null;
  @Field(() => [StressChangeInput], { nullable: true, description: 'STRESS: the changes.' })
  @IsOptional() @ArrayMaxSize(100) @ValidateNested({ each: true })
  changes?: StressChangeInput[] | null;
}

@InputType({ description: 'A robustness report of a model version on a dataset version: its metric under each perturbation.' })
export class RobustnessReportInput {
  @Field(() => ID) modelVersionId!: string;
  @Field(() => ID, { description: 'The dataset: its id or its name. Use rows the version did not train on (a holdout version).' }) datasetId!: string;
  @Field(() => Int, { nullable: true }) datasetVersion?: number | null;
  @Field(() => [ScenarioInput], { description: '1 to 20 scenarios.' }) @ArrayMinSize(1) @ArrayMaxSize(20) @ValidateNested({ each: true }) scenarios!: ScenarioInput[];
  @Field(() => Int, { defaultValue: 1, description: 'Seed of the random perturbations.' }) seed!: number;
}

@ObjectType()
export class ScenarioResult {
  @Field() name!: string;
  @Field(() => PerturbationKind) kind!: PerturbationKind;
  @Field(() => Float) scale!: number;
  @Field(() => Float, { nullable: true, description: 'The metric under the perturbation.' }) value!: number | null;
  @Field(() => Float, { nullable: true, description: 'value − baseline (for rmse, a rise is worse).' }) change!: number | null;
}

@ObjectType({ description: 'The metric when one feature alone is perturbed (numeric: noise of 1 standard deviation; category: half the values flipped).' })
export class FeatureSensitivity {
  @Field() feature!: string;
  @Field(() => Float, { nullable: true }) value!: number | null;
  @Field(() => Float, { nullable: true }) change!: number | null;
}

@ObjectType({ implements: Node, description: 'A robustness report, kept on the model version.' })
@Entity('robustness_report')
export class RobustnessReport implements Node {
  static readonly idPrefix = 'rob';
  @Field(() => ID) @IdColumn() id!: string;
  @RefColumn('model_version_id') modelVersionId!: string;
  @RefColumn('dataset_version_id') datasetVersionId!: string;
  @Field({ description: 'auc (binary), accuracy (multiclass) or rmse (regression).' }) @Column({ type: 'varchar', length: 20 }) metric!: string;
  @Field(() => Float, { nullable: true, description: 'The metric on the rows as they are.' }) @Column({ type: 'double', nullable: true }) baseline!: number | null;
  @Field(() => Int, { description: 'Rows scored (at most 5,000: the first ones of the version).' }) @Column({ name: 'row_count', type: 'int' }) rowCount!: number;
  @Field(() => [ScenarioResult]) @JsonColumn() scenarios!: ScenarioResult[];
  @Field(() => [FeatureSensitivity], { description: 'Every feature alone, worst first.' }) @JsonColumn() features!: FeatureSensitivity[];
  @RefColumn('created_by', { nullable: true }) createdBy!: string | null;
  @Field() @TimeColumn('created_at') createdAt!: Date;
}
