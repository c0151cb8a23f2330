import { registerEnumType } from 'type-graphql';

/** Where a model version serves. Each model has at most one live version per environment. */
export enum Environment {
  TEST = 'TEST',
  PREVIEW = 'PREVIEW',
  PRODUCTION = 'PRODUCTION',
}
registerEnumType(Environment, {
  name: 'Environment',
  description: 'Where a model version serves: TEST and PREVIEW for checking, PRODUCTION for real traffic (behind the model\'s promotion gate and, unless waived, an approval).',
});
