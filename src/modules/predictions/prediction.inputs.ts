import { IsOptional, Length, MaxLength, Min, ValidateNested } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { GraphQLScalarType, Kind } from 'graphql';
import { ArgsType, Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { PageArgs } from '../shared/page.args';
import { Environment } from '../deployments/environment';

/** What predict does with rows that do not fit the version's signature. */
export enum InvalidRowPolicy {
  REJECT_REQUEST = 'REJECT_REQUEST',
  SKIP_ROW = 'SKIP_ROW',
}
registerEnumType(InvalidRowPolicy, {
  name: 'InvalidRowPolicy',
  description: 'What predict does with invalid rows.',
  valuesConfig: {
    REJECT_REQUEST: { description: 'Nothing is scored: BAD_USER_INPUT listing every invalid row (at most 100) in extensions.rows.' },
    SKIP_ROW: { description: 'The valid rows are scored (each prediction carries its `row`); each invalid row gets an entry in rowErrors. Not for forecasts.' },
  },
});

/**
 * A column's values as one scalar: graphql-js coerces a `[Float]` list item by item (a path object
 * and a parseValue call per value), which cost 2–2.3× the JSON parse of the body itself for
 * 10,000 rows × 20 columns (measured); this checks the whole array in one loop, next to nothing.
 * Finiteness is checked with the other cell checks, which name the cell (`input.columns[i].numbers[r]`).
 */
/** A wrong list item, shown short: an object or array in a list is echoed at most 40 characters long. */
function describeItem(item: unknown): string {
  const text = typeof item === 'string' ? JSON.stringify(item.slice(0, 40)) : (JSON.stringify(item) ?? typeof item);
  return text.length > 60 ? `${text.slice(0, 40)}… (${typeof item === 'object' ? (Array.isArray(item) ? 'an array' : 'an object') : typeof item})` : text;
}

function listScalar(name: string, itemType: 'number' | 'string', description: string): GraphQLScalarType {
  const check = (value: unknown): (number | string | null)[] => {
    if (!Array.isArray(value)) throw new TypeError(`${name} must be a list of ${itemType === 'number' ? 'numbers' : 'strings'} (or nulls)`);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item !== itemType) throw new TypeError(`${name} item ${i} is ${describeItem(item)}, not a ${itemType} or null`);
    }
    return value as (number | string | null)[];
  };
  return new GraphQLScalarType({
    name, description,
    parseValue: check,
    serialize: check,
    parseLiteral(node) {
      if (node.kind !== Kind.LIST) throw new TypeError(`${name} must be a list`);
      return check(node.values.map((item) => {
        if (item.kind === Kind.NULL) return null;
        if (itemType === 'number' && (item.kind === Kind.INT || item.kind === Kind.FLOAT)) return Number(item.value);
        if (itemType === 'string' && item.kind === Kind.STRING) return item.value;
        return `a ${item.kind}` as unknown;
      }));
    },
  });
}

export const FloatList = listScalar('FloatList', 'number', 'A list of numbers or nulls, e.g. [1.5, null, 3], as one value: checked in one pass rather than item by item (as [Float], coerced item by item, 10,000 rows × 20 columns cost twice the JSON parse of the request).');
export const StringList = listScalar('StringList', 'string', 'A list of strings or nulls, e.g. ["own", null, "rent"], as one value: checked in one pass rather than item by item.');

@InputType({ description: 'One feature\'s values for every row, in row order: exactly one of numbers or strings, every column of a request the same length.' })
export class PredictColumn {
  @Field({ description: 'The feature\'s name, as in the model\'s signature.' })
  @Length(1, 200)
  name!: string;

  @Field(() => FloatList, { nullable: true, description: 'Numeric values: NUMBER features, BOOLEAN ones as 0/1, or categories whose values are numbers (read as their text, as in rows). null is a missing value, imputed with the training mean or most frequent category.' })
  numbers?: (number | null)[] | null;

  @Field(() => StringList, { nullable: true, description: 'Text values (categories, dates, booleans, or numbers as text, read as in rows). null or blank is a missing value, imputed.' })
  strings?: (string | null)[] | null;
}

@InputType({ description: 'Rows to score with the version live in an environment.' })
export class PredictInput {
  @Field({ description: 'The model\'s name or id.' })
  @Length(1, 200)
  model!: string;

  @Field(() => Environment, { defaultValue: Environment.PRODUCTION })
  environment!: Environment;

  @Field(() => [GraphQLJSONObject], { nullable: true, description: 'Input rows keyed by feature name (at most MAX_PREDICT_ROWS, 10,000 by default). Values may be numbers, booleans, strings (numeric text is accepted) or null (imputed with the training mean or most frequent category). For a forecast model: the last windowSize observations, oldest first, each with the target column and any features. Give exactly one of rows or columns.' })
  rows?: Record<string, unknown>[] | null;

  @Field(() => [PredictColumn], { nullable: true, description: 'The same input column by column instead of rows (exactly one of the two): a column per feature, each with one value per row (at most MAX_PREDICT_ROWS rows; rows × columns counts against MAX_PREDICT_CELLS). Checked and encoded a column at a time, with the same rules and answers as rows; cheaper for large requests. Errors name input.columns[i].numbers[r] (or .strings[r]). Tabular models only: a forecast\'s history is sent as rows.' })
  @IsOptional() @ValidateNested({ each: true })
  columns?: PredictColumn[] | null;

  @Field({ defaultValue: false, description: 'Also return per-feature contributions for each row (occlusion against the training baseline; costs one extra batched pass of rows × features).' })
  explain!: boolean;

  @Field(() => Int, { nullable: true, description: 'This call\'s deadline in milliseconds, from 1 to MAX_PREDICT_TIMEOUT_MS (PREDICT_TIMEOUT_MS, 10,000, when absent): it covers waiting for the environment\'s turn, loading the version and scoring. Past it the answer is a TIMEOUT error and nothing is logged.' })
  timeoutMs?: number | null;

  @Field(() => String, { nullable: true, description: 'Who the request is about (a customer id, say; at most 200 characters): while a CANARY runs, one routing key always meets the same version. Without one, each request is drawn on its own.' })
  @IsOptional() @MaxLength(200)
  routingKey?: string | null;

  @Field(() => Int, { nullable: true, description: 'Binary models with a decision policy (setDecisionPolicy): decide each row (DECLINE when its score is below the environment\'s threshold) and give each decline up to this many reasons, 0 to 10 (0: the decision alone): the mapped features that lowered the score most, by their contributions (which are then computed, and returned, as with explain). Null (default): no decision.' })
  adverseActionReasons?: number | null;

  @Field(() => InvalidRowPolicy, { defaultValue: InvalidRowPolicy.REJECT_REQUEST, description: 'REJECT_REQUEST (default): any invalid row fails the request, listing them all; SKIP_ROW: score the valid ones.' })
  onInvalidRow!: InvalidRowPolicy;
}

@InputType({ description: 'Narrows the prediction log; all given conditions must hold.' })
export class PredictionFilter {
  @Field(() => String, { nullable: true, description: 'A model name or id.' })
  @IsOptional() @Length(1, 200)
  model?: string | null;

  @Field(() => Int, { nullable: true, description: 'The version number within `model` (needs model).' })
  @IsOptional() @Min(1)
  version?: number | null;

  @Field(() => ID, { nullable: true })
  modelVersionId?: string | null;

  @Field(() => Environment, { nullable: true })
  environment?: Environment | null;

  @Field(() => Date, { nullable: true, description: 'Served at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Served before this time.' })
  to?: Date | null;
}

@ArgsType()
export class PredictionsArgs extends PageArgs {
  @Field(() => PredictionFilter, { nullable: true })
  @IsOptional()
  filter?: PredictionFilter | null;
}

@InputType({ description: 'Score every row of a dataset version. Name the model version, or a model and the environment whose live version to use.' })
export class StartBatchPredictionInput {
  @Field(() => ID, { nullable: true, description: 'The version to score with.' })
  modelVersionId?: string | null;

  @Field(() => String, { nullable: true, description: 'A model name or id (with environment), instead of modelVersionId.' })
  @IsOptional() @Length(1, 200)
  model?: string | null;

  @Field(() => Environment, { nullable: true, description: 'With model: use the version live here (default PRODUCTION).' })
  environment?: Environment | null;

  @Field(() => ID, { description: 'The dataset: its id or its name.' })
  datasetId!: string;

  @Field(() => Int, { nullable: true, description: 'Dataset version number (latest when omitted).' })
  @IsOptional() @Min(1)
  datasetVersion?: number | null;

  @Field(() => String, { nullable: true, description: 'The new dataset to write the input rows and their predictions to (CONFLICT when one has that name); `<input>-scored-<job id>` when omitted. The input dataset is left as it is.' })
  @IsOptional() @Length(1, 200)
  outputDataset?: string | null;
}
