import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

/** The type inferred for a column when the dataset was created; later versions keep it. */
export enum ColumnDataType {
  NUMBER = 'NUMBER',
  CATEGORY = 'CATEGORY',
  BOOLEAN = 'BOOLEAN',
  DATE = 'DATE',
  TEXT = 'TEXT',
}
registerEnumType(ColumnDataType, {
  name: 'ColumnType',
  description: 'Inferred from the values: NUMBER (every value numeric, 0/1 included), BOOLEAN (true/false, yes/no), DATE (ISO, `1-May-95`, `5/31/2024`), CATEGORY (few distinct strings), TEXT (the rest).',
});

@ObjectType({ description: 'A value and how often it occurs.' })
export class ValueCount {
  @Field({ description: 'The value, as written in the data.' })
  value!: string;
  @Field(() => Int, { description: 'Rows holding it.' })
  count!: number;
}

@ObjectType({ description: 'How a NUMBER column\'s values spread: equal-width bins with round edges, bin i counting the values x with edges[i] ≤ x < edges[i + 1].' })
export class Histogram {
  @Field(() => [Float], { description: 'Bin edges, ascending, one more than counts; they cover min to max.' })
  edges!: number[];
  @Field(() => [Int], { description: 'Values in each bin (every non-empty value is in one).' })
  counts!: number[];
}

@ObjectType({ description: 'A column of a dataset version: its type and statistics over all its rows.' })
export class ColumnStats {
  @Field({ description: 'Column name, as in the CSV header.' })
  name!: string;
  @Field(() => ColumnDataType, { description: 'Inferred type, or the one set with createDataset\'s columnTypes.' })
  type!: ColumnDataType;
  @Field(() => Int, { description: 'Empty values.' })
  nullCount!: number;
  @Field(() => Int, { description: 'Distinct non-empty values; a lower bound when distinctCountCapped.' })
  distinctCount!: number;
  @Field({ description: 'True when the column has more distinct values than the server tracks (10,000).' })
  distinctCountCapped!: boolean;
  @Field(() => Float, { nullable: true, description: 'Smallest value (NUMBER columns).' })
  min!: number | null;
  @Field(() => Float, { nullable: true, description: 'Largest value (NUMBER columns).' })
  max!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean (NUMBER columns).' })
  mean!: number | null;
  @Field(() => Float, { nullable: true, description: 'Sample standard deviation, n − 1 (NUMBER columns with 2 or more values).' })
  std!: number | null;
  @Field(() => String, { nullable: true, description: 'Earliest date, ISO 8601 (DATE columns).' })
  earliest!: string | null;
  @Field(() => String, { nullable: true, description: 'Latest date, ISO 8601 (DATE columns).' })
  latest!: string | null;
  @Field(() => [ValueCount], { description: 'Up to 10 most frequent values (CATEGORY and BOOLEAN columns), most frequent first.' })
  topValues!: ValueCount[];
  @Field(() => Histogram, { nullable: true, description: 'NUMBER columns: up to 20 bins over all the rows, computed at ingest. Null for other types, and for versions made before histograms were kept.' })
  histogram?: Histogram | null;
}

@ObjectType({ description: 'Something about a column worth a look, e.g. a numeric column made TEXT by a few stray values.' })
export class DatasetWarning {
  @Field() column!: string;
  @Field() message!: string;
  @Field(() => [String], { description: 'Up to 5 of the values concerned.' }) examples!: string[];
}
