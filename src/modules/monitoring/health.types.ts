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
  @Field(() => Float, { description: 'Share of predict calls the server failed (internal errors, timeouts), 0 to 1.' })
  errorRate!: number;
  @Field(() => Float, { description: 'Share of predict calls refused for the caller\'s mistake (bad rows, no deployment, forbidden), 0 to 1.' })
  clientErrorRate!: number;
  @Field(() => LatencyPercentiles)
  latencyMs!: LatencyPercentiles;
}

@ObjectType({ description: 'The state of this server instance: rates and percentiles over the last windowSeconds, and process figures at the time taken.' })
export class HealthSnapshot {
  @Field({ description: 'When it was taken.' })
  at!: Date;
  @Field({ description: 'The process that took it (`<host>:<pid>:<id>`): in a cluster each instance samples itself, and every instance\'s snapshots reach healthSnapshots subscribers; stored history is the scheduling instance\'s.' })
  instance!: string;
  @Field(() => Int, { description: 'The sliding window rates and percentiles cover (HEALTH_WINDOW_SECONDS).' })
  windowSeconds!: number;
  @Field(() => Float, { description: 'GraphQL operations per second (HTTP and WebSocket).' })
  requestRate!: number;
  @Field(() => Float, { description: 'Share of operations the server failed (INTERNAL_SERVER_ERROR, TIMEOUT, SERVICE_UNAVAILABLE), 0 to 1. Client mistakes are not in it: see clientErrorRate.' })
  errorRate!: number;
  @Field(() => Float, { description: 'Share of operations refused for the client\'s mistake (validation, NOT_FOUND, FORBIDDEN, limits), 0 to 1.' })
  clientErrorRate!: number;
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
  @Field(() => Int, { description: 'Workers that stopped heartbeating without saying goodbye within the window (killed, frozen or cut off); 0 without REDIS_URL.' })
  workersLost!: number;
  @Field(() => Float, { nullable: true, description: 'The database\'s size in MB (SQLite: the file and its WAL; MySQL: tables and indexes); null when it could not be read.' })
  databaseSizeMb!: number | null;
  @Field(() => Float, { nullable: true, description: 'Free space, in MB, on the file system of the SQLite file; null on MySQL, whose disk is not visible from here.' })
  diskFreeMb!: number | null;
  @Field(() => Float, { nullable: true, description: 'That free space as a share of the file system, 0 to 100.' })
  diskFreePercent!: number | null;
  @Field(() => Float, { description: 'Bytes per second received on the API\'s port since the previous snapshot (HTTP and WebSocket).' })
  networkInBytesPerSecond!: number;
  @Field(() => Float, { description: 'Bytes per second sent on the API\'s port since the previous snapshot.' })
  networkOutBytesPerSecond!: number;
  @Field(() => Int, { description: 'HTTP connections open now (keep-alive ones included), WebSockets not counted.' })
  httpConnections!: number;
  @Field(() => Int, { description: 'WebSocket connections open now.' })
  webSocketConnections!: number;
  @Field(() => [ModelServingHealth], { description: 'predict per model served within the window.' })
  predictions!: ModelServingHealth[];
}
