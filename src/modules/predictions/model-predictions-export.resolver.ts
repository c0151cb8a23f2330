import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Model } from '../models/model.entity';
import { predictionsExportPath } from './prediction-export.route';

@Resolver(() => Model)
export class ModelPredictionsExportResolver {
  @FieldResolver({ description: 'Where to download this model\'s prediction log as CSV (GET, same Authorization header; relative to the server); add &environment=, &from=, &to= (ISO dates) to narrow it.' })
  predictionsExportUrl(@Root() model: Model): string {
    return predictionsExportPath(model.id);
  }
}
