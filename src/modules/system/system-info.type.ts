import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum DatabaseKind {
  SQLITE = 'SQLITE',
  MYSQL = 'MYSQL',
}
registerEnumType(DatabaseKind, { name: 'DatabaseKind', description: 'SQLITE (embedded default) or MYSQL (MySQL or MariaDB, from DATABASE_URL).' });

@ObjectType({ description: 'A process that trains runs and scores batch predictions from the queue, as its latest heartbeat describes it.' })
export class Worker {
  @Field({ description: '`<host>:<pid>:<id>`, as TrainingRun.workerId names it.' }) id!: string;
  @Field() host!: string;
  @Field(() => Int) pid!: number;
  @Field(() => String, { nullable: true, description: 'TensorFlow.js backend of its latest training; null before its first.' }) backend!: string | null;
  @Field(() => Int, { description: 'Trainings it runs at once (its TRAINING_CONCURRENCY).' }) capacity!: number;
  @Field(() => Int, { description: 'Trainings it runs now.' }) running!: number;
  @Field() startedAt!: Date;
  @Field({ description: 'Its latest heartbeat; a worker silent for three heartbeats (WORKER_HEARTBEAT_SECONDS, 5) leaves the list (and, unless it said goodbye, the built-in worker-lost alert fires).' }) lastHeartbeat!: Date;
}

@ObjectType({ description: 'What this server is and runs on.' })
export class SystemInfo {
  @Field({ description: 'aimass version.' }) version!: string;
  @Field({ description: 'Node.js version.' }) nodeVersion!: string;
  @Field(() => DatabaseKind, { description: 'Database in use.' }) database!: DatabaseKind;
  @Field({ description: 'Version the database server reports.' }) databaseVersion!: string;
  @Field({ description: 'TensorFlow.js backend of the latest training process (tensorflow, wasm or cpu); TFJS_BACKEND when forced; says "not loaded yet" before the first run.' }) tfjsBackend!: string;
  @Field(() => Int, { description: 'Training runs waiting in the queue (the whole cluster\'s, with REDIS_URL).' }) trainingQueued!: number;
  @Field(() => Int, { description: 'Training runs being trained (by every worker, with REDIS_URL).' }) trainingRunning!: number;
  @Field(() => [Worker], { description: 'The live workers: this process alone when embedded (if RUN_WORKER), every heartbeating worker of the cluster with REDIS_URL.' }) workers!: Worker[];
  @Field({ description: 'This process: `<host>:<pid>:<id>`.' }) instance!: string;
  @Field({ description: 'When this process started.' }) startedAt!: Date;
  @Field(() => Float, { description: 'Seconds since this process started.' }) uptimeSeconds!: number;
}
