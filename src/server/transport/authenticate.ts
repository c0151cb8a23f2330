import { bearerToken } from '../../modules/auth/api-key-token';
import type { Caller } from '../../modules/auth/caller';
import type { Services } from '../services';
import { unauthenticated } from '../../core/errors';

/**
 * The caller an Authorization value stands for: null when none was sent, UNAUTHENTICATED (401)
 * when one was sent but is malformed, unknown or revoked: a bad key is never treated as no key.
 */
export async function authenticate(services: Services, authorization: unknown): Promise<Caller | null> {
  const token = bearerToken(authorization);
  if (token === null) return null;
  if (token === undefined) throw unauthenticated('Malformed Authorization: use "Bearer <API key>"');
  const caller = await services.apiKeys.authenticate(token);
  if (!caller) throw unauthenticated('Unknown or revoked API key');
  return caller;
}
