import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Latency percentiles over the window, in milliseconds; null without requests.' })
export class LatencyPercentiles {
  @Field(() => Float, { nullable: true })
  p50!: number | null;
  @Field(() => Float, { nullable: true })
  p95!: number | null;
  @Field(() => Float, { nullable: true })
  p99!: number | null;
}

@ObjectType({ description: 'How one model was served over the window.' })
export class ModelServingHealth {
  @Field(() => ID)
  modelId!: string;
  @Field(() => Float, { description: 'predict calls per second.' })
  requestRate!: number;
  @Field(() => Float, { description: 'Rows scored per second.' })
  rowRate!: number;
  @Field(() => Float, { description: 'Share of predict calls that failed, 0 to 1.' })
  errorRate!: number;
  @Field(() => LatencyPercentiles)
  latencyMs!: LatencyPercentiles;
}

@ObjectType({ description: 'The state of this server instance: rates and percentiles over the last windowSeconds, and process figures at the time taken.' })
export class HealthSnapshot {
  @Field({ description: 'When it was taken.' })
  at!: Date;
  @Field(() => Int, { description: 'The sliding window rates and percentiles cover (HEALTH_WINDOW_SECONDS).' })
  windowSeconds!: number;
  @Field(() => Float, { description: 'GraphQL operations per second (HTTP and WebSocket).' })
  requestRate!: number;
  @Field(() => Float, { description: 'Share of operations that answered with an error, 0 to 1.' })
  errorRate!: number;
  @Field(() => LatencyPercentiles, { description: 'Latency of all operations.' })
  latencyMs!: LatencyPercentiles;
  @Field(() => Float, { description: 'Process CPU since the previous snapshot; 100 = one core busy.' })
  cpuPercent!: number;
  @Field(() => Float)
  rssMb!: number;
  @Field(() => Float)
  heapUsedMb!: number;
  @Field(() => Float, { description: 'p99 event-loop delay since the previous snapshot: how long a request may wait before it is even looked at.' })
  eventLoopLagMs!: number;
  @Field(() => Int)
  trainingsQueued!: number;
  @Field(() => Int)
  trainingsRunning!: number;
  @Field(() => Int, { description: 'Training runs that failed within the window.' })
  trainingsFailed!: number;
  @Field(() => [ModelServingHealth], { description: 'predict per model served within the window.' })
  predictions!: ModelServingHealth[];
}
