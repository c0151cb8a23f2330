import { InitialSchema1764400000000 } from './1764400000000-initial-schema';

/** Every migration in order; listed by class so tsc output and vitest load the same set. */
export const MIGRATIONS = [InitialSchema1764400000000];
