import { ArrayMaxSize, IsOptional, Length, MaxLength, ValidateNested } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { DatasetKind } from './dataset.entity';
import { ColumnDataType } from './column-stats.type';

@InputType({ description: 'A column and the type it should have.' })
export class ColumnTypeInput {
  @Field({ description: 'The column, as named in the header.' })
  @Length(1, 200)
  name!: string;

  @Field(() => ColumnDataType)
  type!: ColumnDataType;
}

@InputType({ description: 'A new dataset from CSV text (or, when the server allows it, a CSV file on the server).' })
export class CreateDatasetInput {
  @Field({ description: 'Unique name, 1 to 200 characters.' })
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text for people (at most 10,000 characters).' })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => DatasetKind, { defaultValue: DatasetKind.STATIC, description: 'STATIC (default) or STREAMING.' })
  kind!: DatasetKind;

  @Field(() => String, {
    nullable: true,
    description: 'The CSV text: a header row, then data rows. LF, CRLF or CR line ends, a UTF-8 BOM and empty values are understood; blank lines are skipped. A field starting with a quote is quoted (RFC 4180): it may hold commas, line ends and "" for a quote, and must end at its closing quote, so `"x"y` is refused (write `"x""y"` for x"y). A quote inside an unquoted field (5\'11") is text. At most MAX_UPLOAD_BYTES (20 MB by default). Give either csv or path.',
  })
  csv?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A CSV file on the server, relative to DATASET_IMPORT_DIR (refused when that is not set), read as csv is. Streamed, so not bound by MAX_UPLOAD_BYTES.',
  })
  path?: string | null;

  @Field(() => [ColumnTypeInput], { nullable: true, description: 'Types to use instead of inferring them, for some columns (at most MAX_DATASET_COLUMNS): e.g. coded categories such as CHK_ACCT (0–3) as CATEGORY. Every value must then parse as the type (BAD_USER_INPUT naming the line and column otherwise).' })
  @IsOptional() @ArrayMaxSize(2000) @ValidateNested({ each: true })
  columnTypes?: ColumnTypeInput[] | null;
}

@InputType({ description: 'Rows to add to a dataset; they make a new version. Give either csv (with a header) or rows.' })
export class AppendDatasetRowsInput {
  @Field(() => ID, { description: 'The dataset: its id or its name.' })
  datasetId!: string;

  @Field(() => String, { nullable: true, description: 'CSV text whose header names exactly the dataset\'s columns, in any order; read as createDataset\'s csv is.' })
  csv?: string | null;

  @Field(() => [GraphQLJSONObject], { nullable: true, description: 'Rows as objects keyed by column name; every column must be present (null for an empty value).' })
  rows?: Record<string, unknown>[] | null;
}

@InputType({ description: 'Narrows the datasets list; all given conditions must hold.' })
export class DatasetFilter {
  @Field(() => String, { nullable: true, description: 'Name contains this text (case-insensitive).' })
  @IsOptional()
  @MaxLength(200)
  nameContains?: string | null;

  @Field(() => DatasetKind, { nullable: true, description: 'Only this kind.' })
  kind?: DatasetKind | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after this time.' })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before this time.' })
  createdBefore?: Date | null;
}
