import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One value of a training metric.' })
export class MetricPoint {
  @Field(() => ID) runId!: string;
  @Field({ description: 'e.g. loss, accuracy, mae, val_loss, val_accuracy, learning_rate, samples_per_second, batch_loss.' }) name!: string;
  @Field(() => Int, { description: 'Batches trained so far in the run; increases through the run, shared by the points of one moment.' }) step!: number;
  @Field(() => Int, { description: 'Epoch (from 1) the value belongs to.' }) epoch!: number;
  @Field(() => Float) value!: number;
  @Field(() => Float, { description: 'When the training process measured it, in milliseconds since 1970-01-01 UTC.' }) timestamp!: number;
}

@ObjectType({ description: 'One metric of a run over time.' })
export class MetricSeries {
  runId!: string;
  @Field() name!: string;
  @Field(() => Int, { description: 'Points stored.' }) count!: number;
  @Field(() => Float, { description: 'Latest value.' }) last!: number;
  @Field(() => Float) min!: number;
  @Field(() => Float) max!: number;
}

/** One metric point as the bus carries it and subscribers receive it. */
export interface MetricEvent {
  runId: string;
  name: string;
  step: number;
  epoch: number;
  value: number;
  timestamp: number;
}

/** Published on a run's metric topic once the run has ended: its streams complete after their last point. */
export interface MetricsEnd {
  runId: string;
  end: true;
}
