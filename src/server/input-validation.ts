import { getMetadataStorage, validateOrReject, type ValidatorOptions } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';

/** What type-graphql's own class-validator step applies (skipMissingProperties on, forbidUnknownValues off). */
const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/** Classes known to carry (true) or not carry (false) class-validator constraints, own or inherited. */
const constrained = new WeakMap<Function, boolean>();

function hasConstraints(target: unknown): boolean {
  if (typeof target !== 'function') return false;
  let known = constrained.get(target);
  if (known === undefined) {
    // The same query class-validator makes for each object it validates (no groups, `always` off).
    known = getMetadataStorage().getTargetValidationMetadatas(target, undefined as unknown as string, false, false, undefined).length > 0;
    constrained.set(target, known);
  }
  return known;
}

const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

/**
 * type-graphql's argument validation with the same options and errors, minus its cost where it
 * cannot find anything: an argument whose class has no constraints (PageArgs on each of 50
 * parents' `versions`, for one) is not handed to class-validator, which looked up its metadata and
 * re-`require`d itself on every call (about 5 % of a nested list's CPU).
 */
export async function validateInput(value: unknown): Promise<void> {
  const items = Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : [];
  const checked = items.filter((item) => hasConstraints(item.constructor));
  if (checked.length === 0) return;
  try {
    await Promise.all(checked.map((item) => validateOrReject(item, OPTIONS)));
  } catch (error) {
    throw new ArgumentValidationError(error as ConstructorParameters<typeof ArgumentValidationError>[0]);
  }
}
