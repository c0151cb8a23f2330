import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum DatabaseKind {
  SQLITE = 'SQLITE',
  MYSQL = 'MYSQL',
}
registerEnumType(DatabaseKind, { name: 'DatabaseKind', description: 'SQLITE (embedded default) or MYSQL (MySQL or MariaDB, from DATABASE_URL).' });

@ObjectType({ description: 'What this server is and runs on.' })
export class SystemInfo {
  @Field({ description: 'aimass version.' }) version!: string;
  @Field({ description: 'Node.js version.' }) nodeVersion!: string;
  @Field(() => DatabaseKind, { description: 'Database in use.' }) database!: DatabaseKind;
  @Field({ description: 'Version the database server reports.' }) databaseVersion!: string;
  @Field({ description: 'TensorFlow.js backend of the latest training process (tensorflow, wasm or cpu); TFJS_BACKEND when forced; says "not loaded yet" before the first run.' }) tfjsBackend!: string;
  @Field(() => Int, { description: 'Training runs waiting in this instance\'s queue.' }) trainingQueued!: number;
  @Field(() => Int, { description: 'Training processes running in this instance.' }) trainingRunning!: number;
  @Field({ description: 'When this process started.' }) startedAt!: Date;
  @Field(() => Float, { description: 'Seconds since this process started.' }) uptimeSeconds!: number;
}
