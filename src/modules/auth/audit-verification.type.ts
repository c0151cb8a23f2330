import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ChainBreakReason } from './audit-chain';

registerEnumType(ChainBreakReason, {
  name: 'AuditChainBreakReason',
  description: 'Why the audit chain does not verify at an entry.',
  valuesConfig: {
    HASH_MISMATCH: { description: 'The entry\'s stored hash is not the hash of its stored fields: the entry was changed.' },
    PREVIOUS_HASH_MISMATCH: { description: 'The entry does not point at the stored hash of the entry before it: that entry was changed or replaced.' },
    SEQUENCE_GAP: { description: 'A sequence number is missing before this entry: an entry was deleted.' },
    HEAD_MISMATCH: { description: 'The last entry is not the chain head the database recorded: entries at the end were deleted.' },
  },
});

@ObjectType({ description: 'Where the audit chain first breaks.' })
export class AuditChainBreak {
  @Field(() => ChainBreakReason)
  reason!: ChainBreakReason;

  @Field(() => ID, { nullable: true, description: 'The entry where it breaks; null for HEAD_MISMATCH.' })
  entryId!: string | null;

  @Field(() => GraphQLSafeInt, { description: 'That entry\'s sequence (for HEAD_MISMATCH, the head\'s).' })
  sequence!: number;

  @Field({ description: 'What the chain says should be there.' })
  expected!: string;

  @Field({ description: 'What is stored.' })
  found!: string;
}

@ObjectType({ description: 'The result of recomputing the audit log\'s hash chain over a time range.' })
export class AuditVerification {
  @Field({ description: 'True when every entry checked is intact and linked to the one before it (and, when the check reached the end, to the recorded head).' })
  ok!: boolean;

  @Field(() => GraphQLSafeInt, { description: 'Entries checked and found intact.' })
  checkedEntries!: number;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'The first entry\'s sequence in the range; null when the range holds none.' })
  firstSequence!: number | null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'The last entry\'s sequence in the range.' })
  lastSequence!: number | null;

  @Field(() => GraphQLSafeInt, { description: 'The chain head now: the sequence of the latest entry. Record it with headHash outside aimass to detect later deletions at the end.' })
  headSequence!: number;

  @Field({ description: 'The hash of the latest entry.' })
  headHash!: string;

  @Field(() => AuditChainBreak, { nullable: true, description: 'The first break, or null when ok.' })
  firstBreak!: AuditChainBreak | null;
}
