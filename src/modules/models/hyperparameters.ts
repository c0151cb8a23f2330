import { ArrayMaxSize, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { Activation, Architecture, ClassWeighting } from './model-enums';

/** Training settings; a model stores defaults, and a training run may override any of them. */
@ObjectType({ description: 'Training settings. A model holds defaults; a training run may override each.' })
export class Hyperparameters {
  @Field(() => Int, { description: 'Passes over the training split.' }) epochs!: number;
  @Field(() => Int, { description: 'Rows per gradient step.' }) batchSize!: number;
  @Field(() => Float, { description: 'Adam learning rate.' }) learningRate!: number;
  @Field(() => [Int], { description: 'Units of each hidden layer (MLP), or of the recurrent layer (LSTM, first entry).' }) hiddenUnits!: number[];
  @Field(() => Activation, { description: 'Hidden layer activation.' }) activation!: Activation;
  @Field(() => Float, { description: 'Dropout rate after each hidden layer, 0 to 0.9.' }) dropout!: number;
  @Field(() => Float, { description: 'L2 weight penalty.' }) l2!: number;
  @Field(() => Int, { description: 'Past steps the forecast sees (LSTM).' }) windowSize!: number;
  @Field(() => Int, { description: 'Steps ahead to forecast (LSTM).' }) horizon!: number;
  @Field(() => ClassWeighting, { description: 'Class weights for imbalanced targets.' }) classWeighting!: ClassWeighting;
}

@InputType({ description: 'Training settings; omitted fields keep their defaults. Ranges are checked.' })
export class HyperparametersInput {
  @Field(() => Int, { nullable: true, description: '1 to 10,000.' })
  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  epochs?: number;

  @Field(() => Int, { nullable: true, description: '1 to 65,536.' })
  @IsOptional() @IsInt() @Min(1) @Max(65_536)
  batchSize?: number;

  @Field(() => Float, { nullable: true, description: 'Greater than 0, at most 10.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1e-9) @Max(10)
  learningRate?: number;

  @Field(() => [Int], { nullable: true, description: 'Up to 8 layers of 1 to 4,096 units.' })
  @IsOptional() @ArrayMaxSize(8) @IsInt({ each: true }) @Min(1, { each: true }) @Max(4096, { each: true })
  hiddenUnits?: number[];

  @Field(() => Activation, { nullable: true })
  @IsOptional()
  activation?: Activation;

  @Field(() => Float, { nullable: true, description: '0 to 0.9.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(0.9)
  dropout?: number;

  @Field(() => Float, { nullable: true, description: '0 to 1.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  l2?: number;

  @Field(() => Int, { nullable: true, description: '2 to 512 (LSTM).' })
  @IsOptional() @IsInt() @Min(2) @Max(512)
  windowSize?: number;

  @Field(() => Int, { nullable: true, description: '1 to 365 (LSTM).' })
  @IsOptional() @IsInt() @Min(1) @Max(365)
  horizon?: number;

  @Field(() => ClassWeighting, { nullable: true })
  @IsOptional()
  classWeighting?: ClassWeighting;
}

/** Defaults per architecture, then the given overrides. */
export function resolveHyperparameters(architecture: Architecture, overrides?: Partial<Hyperparameters> | null, base?: Hyperparameters): Hyperparameters {
  const defaults: Hyperparameters = base ?? {
    epochs: 20,
    batchSize: 32,
    learningRate: 0.001,
    hiddenUnits: architecture === Architecture.MLP ? [64, 32] : architecture === Architecture.LSTM ? [32] : [],
    activation: Activation.RELU,
    dropout: 0,
    l2: 0,
    windowSize: 12,
    horizon: 1,
    classWeighting: ClassWeighting.NONE,
  };
  const given = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined && value !== null));
  return Object.assign(new Hyperparameters(), defaults, given);
}
