import { GraphQLError } from 'graphql';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger';
import { createErrorFormatter } from '../../src/server/transport/format-error';

// Found by the reliability suite: with MariaDB away every call answered INTERNAL_SERVER_ERROR (and
// logged a stack trace), so clients could not tell an outage from a bug or know to retry.
const format = createErrorFormatter(createLogger('silent' as never));
const wrapped = (cause: Error) => new GraphQLError('wrapped', { originalError: cause, path: ['field'] });

it('a database that cannot be reached is SERVICE_UNAVAILABLE, naming the driver code', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  expect(format({ message: 'read ECONNRESET' }, wrapped(reset))).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'ECONNRESET' }, message: expect.stringMatching(/cannot be reached/) });
  // TypeORM's QueryFailedError keeps the driver's error apart.
  const typeorm = Object.assign(new Error('QueryFailedError'), { driverError: { code: 'PROTOCOL_CONNECTION_LOST' } });
  expect(format({ message: 'x' }, wrapped(typeorm)).extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
});

it('a full disk under SQLite is SERVICE_UNAVAILABLE saying so', () => {
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  expect(format({ message: 'x' }, wrapped(full))).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'SQLITE_FULL' }, message: expect.stringMatching(/disk is full/) });
});

it('anything else stays INTERNAL_SERVER_ERROR', () => {
  expect(format({ message: 'x' }, wrapped(new TypeError('boom'))).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
});

it('a stream interrupted by a Redis outage is SERVICE_UNAVAILABLE (STREAM_INTERRUPTED), as graphql-ws wraps it', async () => {
  const { StreamInterruptedError } = await import('../../src/engines/events/stream-errors');
  const wrapper = new GraphQLError('events were interrupted', { originalError: new StreamInterruptedError() });
  expect(format(wrapper.toJSON(), wrapper).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'STREAM_INTERRUPTED' });
});

it('a subscriber cut off for falling behind is SERVICE_UNAVAILABLE (SUBSCRIBER_TOO_SLOW), not a bug', async () => {
  const { SlowSubscriberError } = await import('../../src/engines/events/stream-errors');
  const wrapper = new GraphQLError('behind', { originalError: new SlowSubscriberError(1000) });
  expect(format(wrapper.toJSON(), wrapper).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'SUBSCRIBER_TOO_SLOW' });
});
