import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';

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
  @Field({ description: 'TensorFlow.js backend used for training and serving ("not loaded" until the first model runs).' }) tfjsBackend!: string;
  @Field({ description: 'When this process started.' }) startedAt!: Date;
  @Field(() => Float, { description: 'Seconds since this process started.' }) uptimeSeconds!: number;
}
