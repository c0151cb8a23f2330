import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Model } from '../models/model.entity';
import { ModelVersion } from '../models/model-version.entity';
import { connectionType } from '../shared/connection';
import type { Context } from '../shared/context';
import { Roles } from '../shared/role';
import { ValidationStatus } from './validation-enums';
import { Validation, ValidationFinding } from './validation.entity';
import { AddValidationFindingInput, ConcludeValidationInput, ModelInventoryArgs, OpenValidationInput, ResolveValidationFindingInput, ValidationsArgs } from './validation.inputs';
import { ModelConnection } from '../models/model.connection';

export const ValidationConnection = connectionType(Validation, 'Validation');

@Resolver(() => Validation)
export class ValidationResolver {
  @Authorized(...Roles.VALIDATORS)
  @Mutation(() => Validation, { description: 'Opens a validation of a model version. FORBIDDEN when the caller\'s principal trained the version, asked for, approved or carried out a deploy of it (independence, with any of their keys); CONFLICT when one is already OPEN. VALIDATOR and ADMIN.' })
  openValidation(@Arg('input') input: OpenValidationInput, @Ctx() { services, caller }: Context) {
    return services.validations.open(input, caller!);
  }

  @Authorized(...Roles.VALIDATORS)
  @Mutation(() => ValidationFinding, { description: 'Records a finding (OPEN) on an OPEN validation; the due date must be in the future. VALIDATOR and ADMIN, independent of the version.' })
  addValidationFinding(@Arg('input') input: AddValidationFindingInput, @Ctx() { services, caller }: Context) {
    return services.validations.addFinding(input, caller!);
  }

  @Authorized(...Roles.VALIDATORS)
  @Mutation(() => ValidationFinding, { description: 'Closes an OPEN finding as REMEDIATED or ACCEPTED, with a note (also after the validation concluded). CONFLICT when it is closed already. VALIDATOR and ADMIN, independent of the version.' })
  resolveValidationFinding(@Arg('input') input: ResolveValidationFindingInput, @Ctx() { services, caller }: Context) {
    return services.validations.resolveFinding(input, caller!);
  }

  @Authorized(...Roles.VALIDATORS)
  @Mutation(() => Validation, { description: 'Concludes an OPEN validation with an attestation (statement, who, when). CONFLICT when concluding APPROVED while a HIGH finding is OPEN, or when it is concluded already. VALIDATOR and ADMIN, independent of the version.' })
  concludeValidation(@Arg('input') input: ConcludeValidationInput, @Ctx() { services, caller }: Context) {
    return services.validations.conclude(input, caller!);
  }

  @Authorized(...Roles.READERS)
  @Query(() => ValidationConnection, { description: 'Validations, newest first, by model, version or state.' })
  async validations(@Args() { filter, ...page }: ValidationsArgs, @Ctx() { services }: Context) {
    return ValidationConnection.from(await services.validations.list(filter, page));
  }

  @Authorized(...Roles.READERS)
  @Query(() => ModelConnection, { description: 'The model inventory for the model-risk team, by name: the models list\'s filters (riskTier, owner, businessLine, regulation…) plus the standing with the validators (status) and overdue (an expired approval or a finding past its due date). Each model shows owner, tier, intended use, limitations, validationStatus and nextRevalidationDue. As CSV: GET /exports/model-inventory.csv with the same filters as query parameters.' })
  async modelInventory(@Args() { filter, ...page }: ModelInventoryArgs, @Ctx() { services }: Context) {
    return ModelConnection.from(await services.validations.inventoryPage(filter, page));
  }

  @FieldResolver(() => ModelVersion, { description: 'The version validated.' })
  modelVersion(@Root() validation: Validation, @Ctx() { loaders }: Context) {
    return loaders.models.versionById.load(validation.modelVersionId);
  }

  @FieldResolver(() => [ValidationFinding], { description: 'Its findings, oldest first (at most 500).' })
  findings(@Root() validation: Validation, @Ctx() { loaders }: Context) {
    return loaders.validations.findingsOf.load(validation.id);
  }
}

@Resolver(() => ValidationFinding)
export class ValidationFindingResolver {
  @FieldResolver(() => Validation)
  async validation(@Root() finding: ValidationFinding, @Ctx() { loaders }: Context) {
    return loaders.validations.byId.load(finding.validationId);
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionValidationsResolver {
  @Authorized(...Roles.READERS)
  @FieldResolver(() => [Validation], { description: 'Its validations, newest first.' })
  validations(@Root() version: ModelVersion, @Ctx() { loaders }: Context) {
    return loaders.validations.ofVersion.load(version.id);
  }
}

@Resolver(() => Model)
export class ModelValidationResolver {
  @Authorized(...Roles.READERS)
  @FieldResolver(() => ValidationStatus, { description: 'Its standing with the validators, from its latest concluded, non-rejected validation: EXPIRED once the tier\'s revalidation period (VALIDATION_PERIOD_MONTHS_<TIER>) has passed since.' })
  async validationStatus(@Root() model: Model, @Ctx() { services, loaders }: Context) {
    return services.validations.standingOf(model, await loaders.validations.latestApproval.load(model.id)).status;
  }

  @Authorized(...Roles.READERS)
  @FieldResolver(() => Date, { nullable: true, description: 'When its latest approval runs out (concluded + its tier\'s period); null while never validated.' })
  async nextRevalidationDue(@Root() model: Model, @Ctx() { services, loaders }: Context) {
    return services.validations.standingOf(model, await loaders.validations.latestApproval.load(model.id)).nextRevalidationDue;
  }
}
