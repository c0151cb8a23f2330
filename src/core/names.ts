import { badInput } from './errors';

/** The longest name aimass stores (datasets, models, keys, rules, columns). */
export const MAX_NAME_LENGTH = 200;

// Control characters (NUL included), lone UTF-16 surrogates, and the bidirectional overrides and
// isolates that make a name display as something else than it is ("Trojan Source").
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

/** What is wrong with a name (already trimmed), or null when it may be stored. */
export function nameProblem(name: string, max = MAX_NAME_LENGTH): string | null {
  if (name === '') return 'must not be blank';
  if (name.length > max) return `must be at most ${max} characters, got ${name.length}`;
  if (CONTROL.test(name)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(name)) return 'must be valid Unicode (it has a lone surrogate)';
  if (BIDI.test(name)) return 'must not contain bidirectional override characters';
  return null;
}

/** The trimmed name, or BAD_USER_INPUT naming `field` and the problem. */
export function checkedName(raw: string, field: string, max = MAX_NAME_LENGTH): string {
  const name = raw.trim();
  const problem = nameProblem(name, max);
  if (problem) throw badInput(`${field.split('.').pop()} ${problem}`, { field });
  return name;
}

/**
 * A reference to an object (an id, or a name): BAD_USER_INPUT past MAX_NAME_LENGTH, before any
 * lookup, so no query and no error carries a megabyte of it.
 */
export function checkedRef(ref: string, field: string): string {
  if (ref.length > MAX_NAME_LENGTH) throw badInput(`${field.split('.').pop()} must be a name or an id of at most ${MAX_NAME_LENGTH} characters, got ${ref.length}`, { field });
  return ref;
}

/**
 * A client's text for an error message: at most `max` characters, JSON-quoted, so a 10 MB
 * argument is not echoed back (twice) in the answer.
 */
export function quoted(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
