import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { NodeResolver } from './graphql/node.resolver';
import { DatasetResolver } from './modules/datasets/dataset.resolver';
import { DatasetVersionResolver } from './modules/datasets/dataset-version.resolver';
import { ModelResolver } from './modules/models/model.resolver';
import { ModelVersionResolver } from './modules/models/model-version.resolver';
import { SystemResolver } from './modules/system/system.resolver';

/** Every resolver of the API; schema.graphql is printed from exactly this list. */
export const RESOLVERS = [NodeResolver, DatasetResolver, DatasetVersionResolver, ModelResolver, ModelVersionResolver, SystemResolver] as const;

export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    // Inputs are checked with class-validator; failures become BAD_USER_INPUT errors naming the field.
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
}
