import 'reflect-metadata';
import { Max, MaxLength, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ArgumentValidationError } from 'type-graphql';
import { validateInput } from '../../src/server/input-validation';

// Decorators applied by hand: this project's test transform does not compile decorator syntax.
class Plain {
  first?: number;
}
class Bounded {
  first?: number;
}
Max(10)(Bounded.prototype, 'first');
/** No decorators of its own: its parent's constraints still apply. */
class InheritsBounds extends Bounded {
  after?: string;
}
class Inner {
  name?: string;
}
MaxLength(3)(Inner.prototype, 'name');
class Outer {
  inner?: Inner;
}
ValidateNested()(Outer.prototype, 'inner');

const rejection = async (value: unknown) => validateInput(value).then(() => null, (error: unknown) => error);

describe('argument validation (type-graphql validateFn)', () => {
  it('passes arguments whose class has no constraints, and values that are not objects', async () => {
    expect(await rejection(Object.assign(new Plain(), { first: 1e9 }))).toBeNull();
    expect(await rejection({ anything: 'goes' })).toBeNull();
    expect(await rejection(Object.assign(Object.create(null), { first: 1 }))).toBeNull();
    expect(await rejection(null)).toBeNull();
    expect(await rejection(42)).toBeNull();
  });

  it('refuses as type-graphql does, with the field, for own, inherited and nested constraints and in lists', async () => {
    for (const value of [
      Object.assign(new Bounded(), { first: 11 }),
      Object.assign(new InheritsBounds(), { first: 11 }),
      Object.assign(new Outer(), { inner: Object.assign(new Inner(), { name: 'toolong' }) }),
      [new Bounded(), Object.assign(new Bounded(), { first: 11 })],
    ]) {
      const error = await rejection(value);
      expect(error).toBeInstanceOf(ArgumentValidationError);
      expect((error as ArgumentValidationError).extensions.validationErrors[0].property).toBe(value instanceof Outer ? 'inner' : 'first');
    }
    expect(await rejection(Object.assign(new InheritsBounds(), { first: 10 }))).toBeNull();
  });
});
